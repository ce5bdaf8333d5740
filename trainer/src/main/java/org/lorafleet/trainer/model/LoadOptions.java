package org.lorafleet.trainer.model;

import org.lorafleet.trainer.quant.Quantization;

/**
 * How the frozen base is held in memory.
 *
 * @param dtype precision of embeddings, head and (unquantised) layer weights; norms and biases stay float32
 * @param quantize quantisation of the decoder layers' linear weights (embeddings and head stay in {@code dtype})
 * @param doubleQuant also quantise the 4-bit formats' group scales (QLoRA's double quantisation)
 */
public record LoadOptions(BaseDType dtype, Quantization quantize, boolean doubleQuant) implements java.io.Serializable {

  /** Float32 weights, nothing quantised: the reference numerics. */
  public static final LoadOptions FLOAT32 = new LoadOptions(BaseDType.FLOAT32, Quantization.NONE, false);

  /** The file's own precision, nothing quantised. */
  public static final LoadOptions AUTO = new LoadOptions(BaseDType.AUTO, Quantization.NONE, false);

  public LoadOptions {
    if (dtype == null || quantize == null) {
      throw new IllegalArgumentException("Load options need a dtype and a quantisation mode (use NONE for none).");
    }
  }

  public LoadOptions(BaseDType dtype, Quantization quantize) {
    this(dtype, quantize, false);
  }

  /** A short label, e.g. {@code bfloat16}, {@code auto+nf4}, {@code auto+nf4+dq}. */
  public String label() {
    String q = quantize == Quantization.NONE ? "" : "+" + quantize.configName() + (doubleQuant ? "+dq" : "");
    return dtype.configName() + q;
  }
}
