package org.lorafleet.trainer.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * One RoPE variant with its parameters, and the inverse frequencies and attention factor it gives
 * for a sequence length. The formulas follow transformers' {@code modeling_rope_utils} (the
 * {@code _compute_*_parameters} functions and the {@code dynamic_rope_update} decorator), in
 * float32 where transformers computes with float32 tensors and in double where it uses Python
 * floats. Read from config.json by {@link RopeConfigReader}.
 *
 * @param type default, linear, dynamic, yarn, longrope or llama3
 * @param theta the base ({@code rope_theta})
 * @param rotaryDim rotated values per head: {@code int(head_dim · partial_rotary_factor)}
 * @param factor the scaling factor (linear, dynamic, yarn, llama3; longrope's context ratio)
 * @param originalMaxPositions the pre-training context ({@code original_max_position_embeddings})
 * @param maxPositions {@code max_position_embeddings}
 * @param attentionFactor yarn/longrope: the given factor, or NaN to derive it as transformers does
 * @param mscale yarn's {@code mscale}, or 0 when unset
 * @param mscaleAllDim yarn's {@code mscale_all_dim}, or 0 when unset
 * @param shortFactor longrope: rotaryDim/2 factors used up to originalMaxPositions (else null)
 * @param longFactor longrope: rotaryDim/2 factors used beyond originalMaxPositions (else null)
 */
public record RopeParameters(String type, double theta, int rotaryDim, double factor, int originalMaxPositions,
    int maxPositions, double lowFreqFactor, double highFreqFactor, double attentionFactor, double mscale,
    double mscaleAllDim, double betaFast, double betaSlow, boolean truncate, double[] shortFactor,
    double[] longFactor) {

  /** The RoPE types implemented. */
  public static final java.util.List<String> TYPES = java.util.List.of("default", "linear", "dynamic", "yarn",
      "longrope", "llama3");

  public RopeParameters {
    type = type.toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("RoPE type '" + type + "' is not implemented; implemented are " + TYPES + ".");
    }
    if (!(theta > 0)) {
      throw new IllegalArgumentException("rope_theta must be positive, got " + theta + ".");
    }
    if (rotaryDim <= 0 || rotaryDim % 2 != 0) {
      throw new IllegalArgumentException("RoPE must rotate a positive even number of values per head, got "
          + rotaryDim + ".");
    }
  }

  /** Plain RoPE with base {@code theta} over {@code rotaryDim} values. */
  public static RopeParameters plain(double theta, int rotaryDim, int maxPositions) {
    return new RopeParameters("default", theta, rotaryDim, 1, maxPositions, maxPositions, 0, 0, Double.NaN, 0, 0, 32,
        1, true, null, null);
  }

  /** What the tables of one pass need: rotaryDim/2 float32 inverse frequencies and the cos/sin factor. */
  public record Frequencies(float[] invFreq, double attentionFactor) {}

  /** Inverse frequencies and attention factor for a pass over positions 0..seqLen−1. */
  public Frequencies frequencies(int seqLen) {
    return switch (type) {
      case "default" -> new Frequencies(baseFrequencies(theta), 1.0);
      case "linear" -> new Frequencies(divide(baseFrequencies(theta), (float) factor), 1.0);
      case "dynamic" -> new Frequencies(baseFrequencies(dynamicBase(seqLen)), 1.0);
      case "llama3" -> new Frequencies(llama3(), 1.0);
      case "yarn" -> new Frequencies(yarn(), yarnAttentionFactor());
      case "longrope" -> new Frequencies(longrope(seqLen > originalMaxPositions ? longFactor : shortFactor),
          longropeAttentionFactor());
      default -> throw new IllegalStateException(type);
    };
  }

  /** {@code 1 / base^(2i/dim)} for i < dim/2, as float32 tensors compute it. */
  float[] baseFrequencies(double base) {
    float[] f = new float[rotaryDim / 2];
    for (int i = 0; i < f.length; i++) {
      float exponent = (float) (2 * i) / (float) rotaryDim;
      f[i] = 1.0f / (float) Math.pow(base, exponent);
    }
    return f;
  }

  private static float[] divide(float[] f, float by) {
    float[] out = f.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] /= by;
    }
    return out;
  }

  /**
   * Dynamic NTK scaling: beyond the trained context the base grows to
   * {@code base · (factor·L/max − (factor − 1))^(dim/(dim−2))} for a pass of L positions (L = the
   * largest position + 1, as {@code dynamic_rope_update} uses it); within it, plain RoPE.
   */
  double dynamicBase(int seqLen) {
    int max = originalMaxPositions;
    if (seqLen <= max) {
      return theta;
    }
    // float32, as transformers computes it at run time (the sequence length is a tensor there)
    float ratio = (float) factor * (float) seqLen / (float) max - (float) (factor - 1);
    return (float) theta * (float) Math.pow(ratio, (float) rotaryDim / (float) (rotaryDim - 2));
  }

  /**
   * Llama 3.1 scaling: wavelengths shorter than {@code original/high_freq_factor} keep their
   * frequency, longer than {@code original/low_freq_factor} are divided by {@code factor}, and those
   * between are interpolated with {@code s = (original/wavelen − low)/(high − low)}.
   */
  private float[] llama3() {
    float[] inv = baseFrequencies(theta);
    float lowWavelen = (float) (originalMaxPositions / lowFreqFactor);
    float highWavelen = (float) (originalMaxPositions / highFreqFactor);
    float[] out = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      float wavelen = (float) (2 * Math.PI) / inv[i];
      float scaled = wavelen > lowWavelen ? inv[i] / (float) factor : inv[i];
      if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
        float smooth = (float) ((originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
        scaled = (1 - smooth) * scaled / (float) factor + smooth * scaled;
      }
      out[i] = scaled;
    }
    return out;
  }

  /**
   * YaRN (Peng et al., 2023): per-dimension blend of interpolated ({@code 1/(factor·base^(2i/d))})
   * and extrapolated ({@code 1/base^(2i/d)}) frequencies with a linear ramp between the correction
   * dimensions of {@code beta_fast} and {@code beta_slow} rotations over the original context.
   */
  private float[] yarn() {
    int dim = rotaryDim;
    double low = correctionDim(betaFast, dim);
    double high = correctionDim(betaSlow, dim);
    if (truncate) {
      low = Math.floor(low);
      high = Math.ceil(high);
    }
    low = Math.max(low, 0);
    high = Math.min(high, dim - 1);
    if (low == high) {
      high += 0.001; // as transformers: prevents a division by zero
    }
    float[] out = new float[dim / 2];
    for (int i = 0; i < out.length; i++) {
      float posFreq = (float) Math.pow(theta, (float) (2 * i) / (float) dim);
      float extrapolation = 1.0f / posFreq;
      float interpolation = 1.0f / ((float) factor * posFreq);
      float ramp = (float) ((i - (float) low) / (float) (high - low));
      ramp = Math.min(1f, Math.max(0f, ramp));
      float extrapolationFactor = 1 - ramp;
      out[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
    }
    return out;
  }

  /** The dimension at which a frequency makes {@code rotations} turns over the original context. */
  private double correctionDim(double rotations, int dim) {
    return dim * Math.log(originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
  }

  private static double yarnMscale(double scale, double mscale) {
    return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
  }

  /** The given attention_factor, else mscale(factor, mscale)/mscale(factor, mscale_all_dim), else 0.1·ln(factor) + 1. */
  double yarnAttentionFactor() {
    if (!Double.isNaN(attentionFactor)) {
      return attentionFactor;
    }
    if (mscale != 0 && mscaleAllDim != 0) {
      return yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim);
    }
    return yarnMscale(factor, 1);
  }

  /** LongRoPE: {@code 1 / (ext[i] · base^(2i/d))} with the short or long factors. */
  private float[] longrope(double[] ext) {
    float[] out = new float[rotaryDim / 2];
    for (int i = 0; i < out.length; i++) {
      float posFreq = (float) Math.pow(theta, (float) (2 * i) / (float) rotaryDim);
      out[i] = 1.0f / ((float) ext[i] * posFreq);
    }
    return out;
  }

  /** The given attention_factor, else √(1 + ln(factor)/ln(original context)) for factor > 1, else 1. */
  double longropeAttentionFactor() {
    if (!Double.isNaN(attentionFactor)) {
      return attentionFactor;
    }
    return factor <= 1 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMaxPositions));
  }

  /** A one-line description, e.g. for {@code inspect}: "llama3 (theta 500000, factor 32, original 8192)". */
  public String describe() {
    StringBuilder s = new StringBuilder(type).append(" (theta ").append(fmt(theta));
    if (!type.equals("default")) {
      s.append(", factor ").append(fmt(factor));
    }
    if (type.equals("llama3") || type.equals("yarn") || type.equals("longrope") || type.equals("dynamic")) {
      s.append(", original context ").append(originalMaxPositions);
    }
    return s.append(", ").append(rotaryDim).append(" rotary dims)").toString();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RopeParameters r && r.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "RopeParameters[" + type + ", theta=" + theta + ", rotaryDim=" + rotaryDim + ", factor=" + factor
        + ", original=" + originalMaxPositions + ", max=" + maxPositions + ", low=" + lowFreqFactor + ", high="
        + highFreqFactor + ", attention=" + attentionFactor + ", mscale=" + mscale + "/" + mscaleAllDim + ", beta="
        + betaFast + "/" + betaSlow + ", truncate=" + truncate + ", short=" + Arrays.toString(shortFactor)
        + ", long=" + Arrays.toString(longFactor) + "]";
  }
}
