package org.lorafleet.ps.api;

import java.util.Arrays;
import org.lorafleet.math.tensor.FloatTensor;

/** Name and shape of one tensor the job trains. */
public record TensorSpec(String name, long[] shape) {

  public TensorSpec {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("A tensor needs a non-empty name.");
    }
    shape = shape.clone();
    FloatTensor.numel(shape);
  }

  public static TensorSpec of(String name, FloatTensor t) {
    return new TensorSpec(name, t.shape());
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public int numel() {
    return (int) FloatTensor.numel(shape);
  }

  public boolean matches(FloatTensor t) {
    return Arrays.equals(shape, t.shape());
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec s && name.equals(s.name) && Arrays.equals(shape, s.shape);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
