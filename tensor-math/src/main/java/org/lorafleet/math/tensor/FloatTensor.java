package org.lorafleet.math.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order: the unit the trainer, the parameter server and the
 * checkpoint files exchange. The array is owned by the tensor once constructed; callers that keep a
 * reference must not mutate it unless they created the tensor for that purpose (optimizer state).
 */
public record FloatTensor(long[] shape, float[] data) {

  public FloatTensor {
    if (shape == null || data == null) {
      throw new IllegalArgumentException("A tensor needs both a shape and data.");
    }
    long n = numel(shape);
    if (n != data.length) {
      throw new IllegalArgumentException("Tensor shape " + Arrays.toString(shape) + " holds " + n
          + " elements but " + data.length + " values were given.");
    }
    shape = shape.clone();
  }

  public static FloatTensor zeros(long... shape) {
    return new FloatTensor(shape, new float[Math.toIntExact(numel(shape))]);
  }

  /** Number of elements of a shape; refuses negative dimensions and sizes beyond an int array. */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape) + ".");
      }
      n = Math.multiplyExact(n, d);
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Tensor of shape " + Arrays.toString(shape) + " is too large for one float array.");
    }
    return n;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public int size() {
    return data.length;
  }

  public boolean sameShape(FloatTensor other) {
    return Arrays.equals(shape, other.shape);
  }

  public FloatTensor copy() {
    return new FloatTensor(shape, data.clone());
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
