package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Inverse frequencies and attention factors of every RoPE variant against the published formulas,
 * re-derived here in double precision from their sources (each test names its source). Ours compute
 * in float32 as transformers does, so values agree to float precision.
 */
class RopeParametersTest {

  private static final double FLOAT_TOL = 2e-6; // relative, a few float32 ulps

  private static RopeParameters rope(String type, double theta, int dim, double factor, int original, int max) {
    return new RopeParameters(type, theta, dim, factor, original, max, 0, 0, Double.NaN, 0, 0, 32, 1, true, null,
        null);
  }

  /** RoFormer (Su et al. 2021), eq. 15: θ_i = base^(−2i/d). */
  private static double plain(double base, int i, int dim) {
    return Math.pow(base, -2.0 * i / dim);
  }

  private static void assertFreqs(String what, double[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what + ": count");
    for (int i = 0; i < expected.length; i++) {
      double rel = Math.abs(actual[i] - expected[i]) / expected[i];
      assertTrue(rel <= FLOAT_TOL, what + "[" + i + "]: " + actual[i] + " vs " + expected[i] + " (rel " + rel + ")");
    }
  }

  @Test
  void defaultAndLinearFollowRoFormerAndPositionInterpolation() {
    int dim = 128;
    double[] plain = new double[dim / 2];
    double[] linear = new double[dim / 2];
    for (int i = 0; i < dim / 2; i++) {
      plain[i] = plain(500_000, i, dim);
      linear[i] = plain[i] / 8; // Chen et al. 2023, position interpolation: positions (equivalently θ) / factor
    }
    assertFreqs("default", plain, rope("default", 500_000, dim, 1, 8192, 8192).frequencies(100).invFreq());
    assertFreqs("linear", linear, rope("linear", 500_000, dim, 8, 8192, 8192).frequencies(100).invFreq());
    assertEquals(1.0, rope("linear", 500_000, dim, 8, 8192, 8192).frequencies(100).attentionFactor());
  }

  /**
   * Dynamic NTK-aware scaling (/u/emozilla; transformers' _compute_dynamic_ntk_parameters): within
   * max_position_embeddings plain RoPE; for L positions beyond it,
   * base' = base · (factor·L/max − (factor − 1))^(d/(d−2)).
   */
  @Test
  void dynamicGrowsTheBaseOnlyBeyondTheContext() {
    int dim = 64;
    RopeParameters r = rope("dynamic", 10_000, dim, 2, 2048, 2048);
    double[] within = new double[dim / 2];
    double[] beyond = new double[dim / 2];
    double base = 10_000 * Math.pow(2.0 * 4096 / 2048 - 1, (double) dim / (dim - 2));
    for (int i = 0; i < dim / 2; i++) {
      within[i] = plain(10_000, i, dim);
      beyond[i] = plain(base, i, dim);
    }
    assertFreqs("dynamic at 2048", within, r.frequencies(2048).invFreq());
    assertFreqs("dynamic at 4096", beyond, r.frequencies(4096).invFreq());
  }

  /**
   * Llama 3.1 (Meta's reference {@code apply_scaling}, as transformers' _compute_llama3_parameters):
   * wavelength λ = 2π/θ; λ < L/high: unchanged; λ > L/low: θ/factor; else
   * s = (L/λ − low)/(high − low), θ' = (1 − s)·θ/factor + s·θ. Llama-3.1-8B's values.
   */
  @Test
  void llama3MatchesMetasScaling() {
    int dim = 128;
    double factor = 8;
    double low = 1;
    double high = 4;
    int original = 8192;
    RopeParameters r = new RopeParameters("llama3", 500_000, dim, factor, original, 131_072, low, high, Double.NaN, 0,
        0, 32, 1, true, null, null);
    double[] expected = new double[dim / 2];
    int unchanged = 0;
    int divided = 0;
    int smoothed = 0;
    for (int i = 0; i < dim / 2; i++) {
      double f = plain(500_000, i, dim);
      double wavelen = 2 * Math.PI / f;
      if (wavelen < original / high) {
        expected[i] = f;
        unchanged++;
      } else if (wavelen > original / low) {
        expected[i] = f / factor;
        divided++;
      } else {
        double s = (original / wavelen - low) / (high - low);
        expected[i] = (1 - s) * f / factor + s * f;
        smoothed++;
      }
    }
    assertTrue(unchanged > 0 && divided > 0 && smoothed > 0, "the test exercises all three bands");
    assertFreqs("llama3", expected, r.frequencies(10).invFreq());
  }

  /**
   * YaRN (Peng et al. 2023, "NTK-by-parts" + attention temperature), as transformers'
   * _compute_yarn_parameters: correction dims c(r) = d·ln(L/(2πr))/(2 ln base) for β_fast and
   * β_slow, floored/ceiled and clamped to [0, d−1]; ramp γ_i = clamp((i − low)/(high − low), 0, 1);
   * θ'_i = θ_i/factor · γ_i + θ_i · (1 − γ_i); attention factor 0.1·ln(factor) + 1, or
   * mscale(factor, mscale)/mscale(factor, mscale_all_dim) when both are set.
   */
  @Test
  void yarnBlendsInterpolationAndExtrapolation() {
    int dim = 64;
    double base = 10_000;
    double factor = 4;
    int original = 4096;
    double low = Math.max(Math.floor(dim * Math.log(original / (32 * 2 * Math.PI)) / (2 * Math.log(base))), 0);
    double high = Math.min(Math.ceil(dim * Math.log(original / (1 * 2 * Math.PI)) / (2 * Math.log(base))), dim - 1);
    double[] expected = new double[dim / 2];
    for (int i = 0; i < dim / 2; i++) {
      double gamma = Math.min(1, Math.max(0, (i - low) / (high - low)));
      double f = plain(base, i, dim);
      expected[i] = f / factor * gamma + f * (1 - gamma);
    }
    RopeParameters r = rope("yarn", base, dim, factor, original, 16_384);
    assertFreqs("yarn", expected, r.frequencies(10).invFreq());
    assertEquals(0.1 * Math.log(factor) + 1, r.frequencies(10).attentionFactor(), 1e-12);

    RopeParameters deepseek = new RopeParameters("yarn", base, dim, 40, original, 163_840, 0, 0, Double.NaN, 1.0,
        0.707, 32, 1, true, null, null);
    double ms = (0.1 * 1.0 * Math.log(40) + 1) / (0.1 * 0.707 * Math.log(40) + 1);
    assertEquals(ms, deepseek.frequencies(10).attentionFactor(), 1e-12);
    RopeParameters given = new RopeParameters("yarn", base, dim, 40, original, 163_840, 0, 0, 1.25, 1.0, 0.707, 32,
        1, true, null, null);
    assertEquals(1.25, given.frequencies(10).attentionFactor(), 0);
  }

  /**
   * LongRoPE (Ding et al. 2024; Phi-3 128k, transformers' _compute_longrope_parameters):
   * θ'_i = 1/(λ_i · base^(2i/d)) with the short factors λ up to the original context and the long
   * ones beyond; attention factor √(1 + ln(s)/ln(L)), s = max/original.
   */
  @Test
  void longropeSwitchesFactorsBeyondTheOriginalContext() {
    int dim = 8;
    double[] shortF = {1.0, 1.1, 1.2, 1.3};
    double[] longF = {2.0, 3.0, 5.0, 8.0};
    RopeParameters r = new RopeParameters("longrope", 10_000, dim, 32, 4096, 131_072, 0, 0, Double.NaN, 0, 0, 32, 1,
        true, shortF, longF);
    double[] s = new double[4];
    double[] l = new double[4];
    for (int i = 0; i < 4; i++) {
      s[i] = plain(10_000, i, dim) / shortF[i];
      l[i] = plain(10_000, i, dim) / longF[i];
    }
    assertFreqs("longrope short", s, r.frequencies(4096).invFreq());
    assertFreqs("longrope long", l, r.frequencies(4097).invFreq());
    assertEquals(Math.sqrt(1 + Math.log(32) / Math.log(4096)), r.frequencies(4097).attentionFactor(), 1e-12);
    assertEquals(r.frequencies(4097).attentionFactor(), r.frequencies(10).attentionFactor(), 0);
  }

  @Test
  void unknownTypesAndOddDimensionsAreRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> rope("ntk-by-parts", 1e4, 8, 1, 16, 16))
        .getMessage().contains("'ntk-by-parts' is not implemented"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> rope("default", 1e4, 7, 1, 16, 16))
        .getMessage().contains("even"));
  }
}
