package org.lorafleet.trainer.model;

import org.lorafleet.trainer.quant.Quantization;

/**
 * How the frozen base is held in memory.
 *
 * @param dtype precision of embeddings, head and (unquantised) layer weights; norms and biases stay float32
 * @param quantize quantisation of the decoder layers' linear weights (embeddings and head stay in {@code dtype})
 * @param doubleQuant also quantise the 4-bit formats' group scales (QLoRA's double quantisation)
 * @param precision the frozen matmuls' precision; {@link Precision#BF16} holds the base in bfloat16
 *     ({@code dtype} auto becomes bfloat16; float32 or float16 contradict it and are refused)
 */
public record LoadOptions(BaseDType dtype, Quantization quantize, boolean doubleQuant, Precision precision)
    implements java.io.Serializable {

  /** Float32 weights, nothing quantised: the reference numerics. */
  public static final LoadOptions FLOAT32 = new LoadOptions(BaseDType.FLOAT32, Quantization.NONE, false, Precision.FP32);

  /** The file's own precision, nothing quantised. */
  public static final LoadOptions AUTO = new LoadOptions(BaseDType.AUTO, Quantization.NONE, false, Precision.FP32);

  public LoadOptions {
    if (dtype == null || quantize == null) {
      throw new IllegalArgumentException("Load options need a dtype and a quantisation mode (use NONE for none).");
    }
    if (precision == null) {
      throw new IllegalArgumentException("Load options need a matmul precision (FP32 or BF16).");
    }
    if (precision == Precision.BF16 && dtype != BaseDType.AUTO && dtype != BaseDType.BFLOAT16) {
      throw new IllegalArgumentException("bf16 matmuls hold the base in bfloat16, but model.dtype is "
          + dtype.configName() + "; set model.dtype to auto or bfloat16, or train.precision to fp32.");
    }
    if (precision == Precision.BF16) {
      dtype = BaseDType.BFLOAT16;
    }
  }

  public LoadOptions(BaseDType dtype, Quantization quantize, boolean doubleQuant) {
    this(dtype, quantize, doubleQuant, Precision.FP32);
  }

  public LoadOptions(BaseDType dtype, Quantization quantize) {
    this(dtype, quantize, false, Precision.FP32);
  }

  /** These options with the given matmul precision. */
  public LoadOptions withPrecision(Precision p) {
    return new LoadOptions(dtype, quantize, doubleQuant, p);
  }

  /**
   * Whether the frozen dense weights' products go through the bfloat16 kernel: bf16 precision on a CPU
   * with bfloat16 instructions (elsewhere the bfloat16 base is multiplied in float32, as model.dtype
   * bfloat16 does; the loader says so).
   */
  public boolean bf16Kernels() {
    return precision == Precision.BF16 && org.lorafleet.trainer.nn.OneDnnMatmul.available();
  }

  /** A short label, e.g. {@code bfloat16}, {@code auto+nf4}, {@code auto+nf4+dq}. */
  public String label() {
    String q = quantize == Quantization.NONE ? "" : "+" + quantize.configName() + (doubleQuant ? "+dq" : "");
    return dtype.configName() + q + (precision == Precision.BF16 ? " (bf16 matmuls)" : "");
  }
}
