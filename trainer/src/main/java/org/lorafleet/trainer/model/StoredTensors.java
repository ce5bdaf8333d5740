package org.lorafleet.trainer.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.nn.Nd;
import org.lorafleet.trainer.safetensors.DType;
import org.lorafleet.trainer.safetensors.HalfFloats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads checkpoint tensors into off-heap arrays of the precision the base is held in. A tensor
 * whose file dtype is the target's is copied byte for byte from the file into the array's native
 * buffer (no Java array on the way), and so is a bf16/fp16 tensor widened to float32 (in place in
 * the array's buffer); a narrowing conversion goes through float32 one tensor at a time and rounds
 * to nearest even.
 */
final class StoredTensors {

  private StoredTensors() {}

  /** Tensor {@code name} as an array of {@code type} (FLOAT, BFLOAT16 or HALF), outside any workspace. */
  static INDArray read(HfCheckpoint ck, String name, DataType type) {
    DType file = ck.dtype(name);
    long[] shape = ck.shape(name);
    if (sameLayout(file, type)) {
      INDArray a = Nd4j.createUninitializedDetached(type, shape);
      if (a.length() > 0) {
        ck.readRaw(name, bytes(a));
      }
      return a;
    }
    if (type == DataType.FLOAT && (file == DType.BF16 || file == DType.F16)) {
      return widened(ck, name, file, shape);
    }
    if (file == DType.F32) {
      return narrowed(ck, name, type, shape);
    }
    INDArray f = Nd.of(ck.tensor(name));
    if (type == DataType.FLOAT) {
      return f;
    }
    float[] values = f.data().asFloat();
    INDArray a = Nd4j.createUninitializedDetached(type, shape);
    ShortBuffer out = bytes(a).asShortBuffer();
    for (float v : values) {
      out.put((short) (type == DataType.BFLOAT16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToHalf(v)));
    }
    return a;
  }

  /**
   * A float32 tensor as bf16/fp16 without a Java array: the file's bytes go into a native float32
   * buffer that is freed as soon as the values are rounded into the target (the garbage collector
   * would otherwise free it late, and a whole model's float32 copies would count in the peak RSS).
   */
  private static INDArray narrowed(HfCheckpoint ck, String name, DataType type, long[] shape) {
    INDArray a = Nd4j.createUninitializedDetached(type, shape);
    if (a.length() == 0) {
      return a;
    }
    INDArray wide = Nd4j.createUninitializedDetached(DataType.FLOAT, shape);
    try {
      ByteBuffer in = bytes(wide);
      ck.readRaw(name, in.duplicate().order(ByteOrder.LITTLE_ENDIAN));
      java.nio.FloatBuffer values = in.asFloatBuffer();
      ShortBuffer out = bytes(a).asShortBuffer();
      boolean bf16 = type == DataType.BFLOAT16;
      while (values.hasRemaining()) {
        float v = values.get();
        out.put((short) (bf16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToHalf(v)));
      }
    } finally {
      wide.close();
    }
    return a;
  }

  /**
   * A bf16/fp16 tensor as float32 without a Java array: the file's 2-byte values are read into the
   * upper half of the float32 array's own buffer and widened in place, front to back (element i is
   * written to bytes [4i, 4i + 4), which lie below the still unread value i + 1 at 2n + 2(i + 1)).
   */
  private static INDArray widened(HfCheckpoint ck, String name, DType file, long[] shape) {
    INDArray a = Nd4j.createUninitializedDetached(DataType.FLOAT, shape);
    int n = Math.toIntExact(a.length());
    if (n == 0) {
      return a;
    }
    ByteBuffer all = bytes(a);
    ByteBuffer upper = all.duplicate();
    upper.position(2 * n);
    ck.readRaw(name, upper.slice().order(ByteOrder.LITTLE_ENDIAN));
    boolean bf16 = file == DType.BF16;
    for (int i = 0; i < n; i++) {
      int bits = all.getShort(2 * n + 2 * i) & 0xFFFF;
      all.putFloat(4 * i, bf16 ? HalfFloats.bf16ToFloat(bits) : HalfFloats.halfToFloat(bits));
    }
    return a;
  }

  private static boolean sameLayout(DType file, DataType type) {
    return (file == DType.F32 && type == DataType.FLOAT) || (file == DType.BF16 && type == DataType.BFLOAT16)
        || (file == DType.F16 && type == DataType.HALF);
  }

  /** The native bytes of a fresh contiguous array, little-endian as the file. */
  private static ByteBuffer bytes(INDArray a) {
    ByteBuffer b = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
    b.clear();
    b.limit((int) (a.length() * a.dataType().width()));
    return b;
  }
}
