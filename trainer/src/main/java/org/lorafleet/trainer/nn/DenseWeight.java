package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen weight held as a dense off-heap array of float32, bfloat16 or float16; the half types
 * are upcast per use (bfloat16 → float32 is exact), unless a bfloat16 weight is marked for the
 * bfloat16 kernel ({@link OneDnnMatmul}, {@code train.precision: bf16}).
 */
public final class DenseWeight implements FrozenWeight {

  private final INDArray values; // [rows, cols]
  private final boolean bf16Kernel;

  public DenseWeight(INDArray values) {
    this(values, false);
  }

  /** @param bf16Kernel multiply through {@link OneDnnMatmul} (the values must be bfloat16) */
  public DenseWeight(INDArray values, boolean bf16Kernel) {
    if (values.rank() != 2) {
      throw new IllegalArgumentException("A frozen weight must be 2-D; got shape "
          + java.util.Arrays.toString(values.shape()) + ".");
    }
    DataType t = values.dataType();
    if (t != DataType.FLOAT && t != DataType.BFLOAT16 && t != DataType.HALF && t != DataType.DOUBLE) {
      throw new IllegalArgumentException("A dense frozen weight is float32, bfloat16 or float16; got " + t + ".");
    }
    if (bf16Kernel && t != DataType.BFLOAT16) {
      throw new IllegalArgumentException("The bfloat16 kernel needs a bfloat16 weight; got " + t + ".");
    }
    this.values = values;
    this.bf16Kernel = bf16Kernel;
  }

  /** Whether products with this weight go through {@link OneDnnMatmul}. */
  public boolean bf16Kernel() {
    return bf16Kernel;
  }

  /** The stored array (float32 kernels and gradient checks use it directly). */
  public INDArray values() {
    return values;
  }

  @Override
  public long[] shape() {
    return values.shape();
  }

  @Override
  public INDArray toFloat() {
    DataType t = values.dataType();
    return t == DataType.FLOAT || t == DataType.DOUBLE ? values : values.castTo(DataType.FLOAT);
  }

  @Override
  public long bytes() {
    return values.length() * values.dataType().width();
  }

  @Override
  public String form() {
    return switch (values.dataType()) {
      case BFLOAT16 -> "bfloat16";
      case HALF -> "float16";
      case DOUBLE -> "float64";
      default -> "float32";
    };
  }
}
