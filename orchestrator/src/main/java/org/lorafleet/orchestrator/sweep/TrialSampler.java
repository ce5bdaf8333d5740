package org.lorafleet.orchestrator.sweep;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.orchestrator.config.SweepParameter;

/**
 * Chooses the parameter values of each trial: every combination for a grid, seeded draws for random
 * search. Drawn numbers are rounded to 4 significant digits, so what the leaderboard shows is
 * exactly what the trial ran with.
 */
final class TrialSampler {

  private TrialSampler() {}

  /** Every combination, the first parameter varying slowest; at most {@code limit} (null: all). */
  static List<Map<String, String>> grid(List<SweepParameter> params, Integer limit) {
    List<Map<String, String>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (SweepParameter p : params) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : out) {
        for (String v : p.choices()) {
          Map<String, String> m = new LinkedHashMap<>(partial);
          m.put(p.key(), v);
          next.add(m);
        }
      }
      out = next;
    }
    return limit == null || limit >= out.size() ? out : out.subList(0, limit);
  }

  /** {@code n} draws, parameter by parameter in file order, from one generator seeded by {@code seed}. */
  static List<Map<String, String>> random(List<SweepParameter> params, int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Map<String, String>> out = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      Map<String, String> m = new LinkedHashMap<>();
      for (SweepParameter p : params) {
        m.put(p.key(), draw(p, rng));
      }
      out.add(m);
    }
    return out;
  }

  private static String draw(SweepParameter p, SplittableRandom rng) {
    return switch (p.kind()) {
      case CHOICE -> p.choices().get(rng.nextInt(p.choices().size()));
      case UNIFORM -> round(clamp(p.min() + (p.max() - p.min()) * rng.nextDouble(), p));
      case LOG_UNIFORM -> round(clamp(Math.exp(Math.log(p.min()) + (Math.log(p.max()) - Math.log(p.min()))
          * rng.nextDouble()), p));
      case INT -> Long.toString((long) p.min() + rng.nextLong((long) p.max() - (long) p.min() + 1));
    };
  }

  /** Keeps a draw inside [min, max] after rounding to 4 significant digits. */
  private static double clamp(double v, SweepParameter p) {
    double r = Double.parseDouble(round(v));
    return r > p.max() ? p.max() : r < p.min() ? p.min() : v;
  }

  /** 4 significant digits, written plainly ({@code 0.0003162}, {@code 12.35}). */
  static String round(double v) {
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
