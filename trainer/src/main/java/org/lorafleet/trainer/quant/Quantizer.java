package org.lorafleet.trainer.quant;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.lorafleet.trainer.nn.DenseWeight;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns a frozen 2-D weight into its quantised storage form, once, at load time (no calibration
 * data). The weight keeps its stored layout: {@code inOut} says whether it is [in, out] (GPT-2
 * Conv1D) or [out, in] (nn.Linear), which fixes the output channel (int8 scales) and the input
 * dimension (4-bit groups); {@link FrozenWeight#toFloat()} returns the stored layout again.
 *
 * <p>Some tensors cannot take a format (a 4-bit input dimension that is not a multiple of
 * {@value #GROUP_SIZE}, for instance): {@link #tryQuantize} then keeps the tensor dense and says
 * why, {@link #quantize} throws.
 */
public final class Quantizer {

  /** Values per 4-bit group, along the input dimension (QLoRA's block size). */
  public static final int GROUP_SIZE = 64;

  /** Largest tensor whose float32 copy one direct buffer can address (2^31 - 1 bytes). */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE / Float.BYTES;

  private Quantizer() {}

  /**
   * The outcome of {@link #tryQuantize}: the quantised weight, or the input kept as a
   * {@link DenseWeight} with the reason (null when the tensor was quantised or NONE was asked).
   */
  public record Result(FrozenWeight weight, String fallbackReason) {

    public Result {
      Objects.requireNonNull(weight, "weight");
    }

    /** True when the tensor was kept dense although a quantised form was asked for. */
    public boolean fellBack() {
      return fallbackReason != null;
    }

    /** A log sentence naming the tensor and why it stays dense; null when it did not fall back. */
    public String fallbackMessage(String tensorName) {
      if (fallbackReason == null) {
        return null;
      }
      return "Keeping " + tensorName + " " + Arrays.toString(weight.shape()) + " in " + weight.form()
          + ": " + fallbackReason + ".";
    }
  }

  /**
   * Quantises {@code weight} (float32 [rows, cols] as stored; bfloat16, float16 and float64 are
   * read as float32), or returns it dense with the reason when the format cannot hold it.
   * {@code doubleQuant} stores the 4-bit group scales in 8 bits; int8 ignores it.
   */
  public static Result tryQuantize(INDArray weight, boolean inOut, Quantization mode, boolean doubleQuant) {
    Objects.requireNonNull(weight, "weight");
    Objects.requireNonNull(mode, "mode");
    DenseWeight dense = new DenseWeight(weight); // checks rank and type
    if (mode == Quantization.NONE) {
      return new Result(dense, null);
    }
    String why = unsupportedReason(weight.shape(), inOut, mode);
    if (why != null) {
      return new Result(dense, why);
    }
    Layout layout = new Layout((int) weight.size(0), (int) weight.size(1), inOut);
    FloatBuffer values = contiguousFloat(weight).data().asNioFloat().slice(); // [rows, cols], C order
    why = nonFinite(values, layout);
    if (why != null) {
      return new Result(dense, why);
    }
    FrozenWeight q = switch (mode) {
      case INT8 -> Int8Weight.quantize(values, layout);
      case NF4 -> Nf4Weight.quantize(values, layout, doubleQuant);
      case INT4 -> Int4Weight.quantize(values, layout, doubleQuant);
      case NONE -> throw new AssertionError("handled above");
    };
    return new Result(q, null);
  }

  /** Like {@link #tryQuantize}, but a tensor the format cannot hold is an IllegalArgumentException. */
  public static FrozenWeight quantize(INDArray weight, boolean inOut, Quantization mode, boolean doubleQuant) {
    Result r = tryQuantize(weight, inOut, mode, doubleQuant);
    if (r.fellBack()) {
      throw new IllegalArgumentException("Cannot store a " + Arrays.toString(weight.shape()) + " weight as "
          + mode.configName() + ": " + r.fallbackReason() + ".");
    }
    return r.weight();
  }

  /**
   * Why {@code mode} cannot hold a tensor of this stored shape (a clause without a final stop,
   * e.g. "input dimension 100 is not a multiple of the nf4 group size 64"), or null when it can.
   */
  public static String unsupportedReason(long[] shape, boolean inOut, Quantization mode) {
    if (shape.length != 2) {
      return "it is " + shape.length + "-D, and only 2-D weights are quantised";
    }
    if (mode == Quantization.NONE) {
      return null;
    }
    long rows = shape[0];
    long cols = shape[1];
    if (rows == 0 || cols == 0) {
      return "it is empty";
    }
    if (rows * cols > MAX_ELEMENTS) {
      return "it has " + rows * cols + " values, more than the " + MAX_ELEMENTS
          + " a dequantised float32 copy can hold";
    }
    long in = inOut ? rows : cols;
    if (mode.grouped() && in % GROUP_SIZE != 0) {
      return "input dimension " + in + " is not a multiple of the " + mode.configName() + " group size "
          + GROUP_SIZE;
    }
    return null;
  }

  /** The reason a NaN or infinity makes the tensor unquantisable, or null when all values are finite. */
  private static String nonFinite(FloatBuffer values, Layout layout) {
    float[] row = new float[layout.cols()];
    for (int r = 0; r < layout.rows(); r++) {
      values.get(r * layout.cols(), row, 0, row.length);
      for (int c = 0; c < row.length; c++) {
        if (!Float.isFinite(row[c])) {
          return "it holds a non-finite value (" + row[c] + ") at [" + r + ", " + c + "]";
        }
      }
    }
    return null;
  }

  /** {@code w} itself when it is a plain C-order float32 array, else a detached float32 copy. */
  private static INDArray contiguousFloat(INDArray w) {
    if (w.dataType() == DataType.FLOAT && w.ordering() == 'c' && !w.isView() && w.data().offset() == 0
        && w.data().length() == w.length()) {
      return w;
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return w.castTo(DataType.FLOAT).dup('c');
    }
  }
}
