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
 * buffer (no Java array on the way); a conversion goes through float32 one tensor at a time and
 * rounds to nearest even.
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
