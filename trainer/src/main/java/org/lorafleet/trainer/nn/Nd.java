package org.lorafleet.trainer.nn;

import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.backend.NativeBuild;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Small ND4J helpers shared by the kernels. Arrays are C-ordered; float32 unless a gradient check runs the kernels in double. */
public final class Nd {

  static {
    NativeBuild.select(); // no effect if ND4J was loaded before this class
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
  }

  private Nd() {}

  /** Makes sure ND4J is initialised with float32 defaults (idempotent). */
  public static void init() {
    // The static initialiser does the work.
  }

  /** A new off-heap array holding a copy of {@code t}. */
  public static INDArray of(FloatTensor t) {
    return Nd4j.create(t.data(), t.shape(), 'c');
  }

  /** A heap copy of {@code a} (works for views too). */
  public static FloatTensor toTensor(INDArray a) {
    return new FloatTensor(a.shape(), flat(a));
  }

  /** The values of {@code a} in C order as a new float[]. */
  public static float[] flat(INDArray a) {
    return Nd4j.toFlattened('c', a).toFloatVector();
  }

  /** Softmax over the last dimension of a 2-D array, in place; rows may hold -inf (masked). */
  public static INDArray softmaxRowsInPlace(INDArray s) {
    // One native op (max, exp, sum, divide fused): ~2× faster than composing them, same values.
    Nd4j.exec(new SoftMax(s, s, 1));
    return s;
  }

  /** Columns [from, to) of a 2-D array as a new contiguous array. */
  public static INDArray columns(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }

  /** [B, T, heads·d] rows → [B·heads, T, d], contiguous. */
  public static INDArray splitHeads(INDArray x, int batch, int seq, int heads, int d) {
    return x.reshape('c', batch, seq, heads, d).permute(0, 2, 1, 3).dup('c').reshape('c', (long) batch * heads, seq, d);
  }

  /** [B·heads, T, d] → [B·T, heads·d], contiguous (inverse of {@link #splitHeads}). */
  public static INDArray mergeHeads(INDArray x, int batch, int seq, int heads, int d) {
    return x.reshape('c', batch, heads, seq, d).permute(0, 2, 1, 3).dup('c').reshape('c', (long) batch * seq, (long) heads * d);
  }
}
