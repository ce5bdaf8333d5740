package org.lorafleet.orchestrator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small self-contained SVG charts for the sweep and run reports: lines (loss curves) and scatter (metric
 * against a parameter, on a linear, logarithmic or categorical x axis). No scripts, no external
 * resources; a point's {@code <title>} shows its values on hover.
 */
public final class SvgPlot {

  public static final int WIDTH = 560;
  public static final int HEIGHT = 320;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 48;

  /** Tableau 10: distinct colours that stay readable on white. */
  public static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");

  /** The {@code index}-th colour of {@link #PALETTE}, repeating after ten. */
  public static String colorOf(int index) {
    return PALETTE.get(index % PALETTE.size());
  }

  /** One curve or set of points, drawn in {@code color}; {@code tip} labels points on hover. */
  public record Series(String label, String color, List<double[]> points, boolean line, List<String> tips) {}

  /** How the x axis maps values: linear, log10, or categories at 0..n-1 labelled by {@code categories}. */
  public record XAxis(String title, boolean log, List<String> categories) {
    public static XAxis linear(String title) {
      return new XAxis(title, false, List.of());
    }
  }

  private SvgPlot() {}

  public static String chart(String id, XAxis x, String yTitle, List<Series> series) {
    List<double[]> all = new ArrayList<>();
    series.forEach(s -> s.points().stream().filter(p -> Double.isFinite(p[1]) && Double.isFinite(p[0])
        && (!x.log() || p[0] > 0)).forEach(all::add));
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
        + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", id, WIDTH, HEIGHT, WIDTH, HEIGHT));
    if (all.isEmpty()) {
      svg.append("<text x=\"").append(WIDTH / 2).append("\" y=\"").append(HEIGHT / 2)
          .append("\" text-anchor=\"middle\" class=\"empty\">no data yet</text></svg>");
      return svg.toString();
    }
    double x0;
    double x1;
    if (!x.categories().isEmpty()) {
      x0 = -0.5;
      x1 = x.categories().size() - 0.5;
    } else {
      x0 = all.stream().mapToDouble(p -> tx(x, p[0])).min().orElse(0);
      x1 = all.stream().mapToDouble(p -> tx(x, p[0])).max().orElse(1);
    }
    double y0 = all.stream().mapToDouble(p -> p[1]).min().orElse(0);
    double y1 = all.stream().mapToDouble(p -> p[1]).max().orElse(1);
    double[] xr = pad(x0, x1);
    double[] yr = pad(y0, y1);
    Frame f = new Frame(xr[0], xr[1], yr[0], yr[1]);

    svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(HEIGHT - TOP - BOTTOM)
        .append("\" fill=\"#ffffff\" stroke=\"#c8c8c8\"/>");
    for (double t : ticks(yr[0], yr[1])) {
      double py = f.py(t);
      svg.append(line(LEFT, py, WIDTH - RIGHT, py, "#eeeeee"));
      svg.append(text(LEFT - 6, py + 4, "end", fmt(t)));
    }
    if (!x.categories().isEmpty()) {
      for (int i = 0; i < x.categories().size(); i++) {
        svg.append(text(f.px(i), HEIGHT - BOTTOM + 16, "middle", x.categories().get(i)));
      }
    } else {
      for (double t : x.log() ? logTicks(xr[0], xr[1]) : ticks(xr[0], xr[1])) {
        double px = f.px(t);
        svg.append(line(px, TOP, px, HEIGHT - BOTTOM, "#f2f2f2"));
        svg.append(text(px, HEIGHT - BOTTOM + 16, "middle", x.log() ? fmt(Math.pow(10, t)) : fmt(t)));
      }
    }
    svg.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 10, "middle", x.title()));
    svg.append(String.format(Locale.ROOT, "<text transform=\"translate(14,%.1f) rotate(-90)\" text-anchor=\"middle\" "
        + "class=\"axis\">%s</text>", TOP + (HEIGHT - TOP - BOTTOM) / 2.0, Html.escape(yTitle)));

    for (Series s : series) {
      svg.append("<g class=\"series\" data-label=\"").append(Html.escape(s.label())).append("\">");
      List<double[]> pts = s.points().stream().filter(p -> Double.isFinite(p[1]) && (!x.log() || p[0] > 0)).toList();
      if (s.line() && pts.size() > 1) {
        StringBuilder d = new StringBuilder();
        for (double[] p : pts) {
          d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", f.px(tx(x, p[0])),
              f.py(p[1])));
        }
        svg.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(s.color())
            .append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>");
      }
      if (!s.line() || pts.size() <= 12) {
        for (int i = 0; i < pts.size(); i++) {
          double[] p = pts.get(i);
          String tip = i < s.tips().size() ? s.tips().get(i) : s.label() + ": " + fmt(p[1]);
          svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s</title>"
              + "</circle>", f.px(tx(x, p[0])), f.py(p[1]), s.line() ? "3" : "6", s.color(), Html.escape(tip)));
        }
      }
      svg.append("</g>");
    }
    return svg.append("</svg>").toString();
  }

  private record Frame(double x0, double x1, double y0, double y1) {
    double px(double v) {
      return LEFT + (v - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    }

    double py(double v) {
      return HEIGHT - BOTTOM - (v - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM);
    }
  }

  private static double tx(XAxis x, double v) {
    return x.log() ? Math.log10(v) : v;
  }

  /** The range with 5% room on each side (or ±0.5 around a single value). */
  private static double[] pad(double lo, double hi) {
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      double r = Math.max(Math.abs(hi) * 0.05, 0.5);
      return new double[] {lo - r, hi + r};
    }
    double m = (hi - lo) * 0.05;
    return new double[] {lo - m, hi + m};
  }

  /** "Nice" tick values (steps of 1, 2 or 5 × 10^k) inside [lo, hi]. */
  static List<Double> ticks(double lo, double hi) {
    double raw = (hi - lo) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
      out.add(Math.abs(t) < 1e-12 * step ? 0 : t);
    }
    return out;
  }

  /** log10 of the values 1, 2 and 5 × 10^k inside [lo, hi] (given as log10); every digit when those are too few. */
  static List<Double> logTicks(double lo, double hi) {
    for (int[] mantissas : new int[][] {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
      List<Double> out = new ArrayList<>();
      for (int k = (int) Math.floor(lo); k <= (int) Math.ceil(hi); k++) {
        for (int m : mantissas) {
          double t = k + Math.log10(m);
          if (t >= lo && t <= hi) {
            out.add(t);
          }
        }
      }
      if (out.size() >= 3) {
        return out;
      }
    }
    return ticks(lo, hi);
  }

  public static String fmt(double v) {
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e5)) {
      return String.format(Locale.ROOT, "%.1e", v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x1, y1,
        x2, y2, color);
  }

  private static String text(double x, double y, String anchor, String s) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"axis\">%s</text>", x, y,
        anchor, Html.escape(s));
  }
}
