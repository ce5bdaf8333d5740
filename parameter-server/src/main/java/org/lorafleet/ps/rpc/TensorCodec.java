package org.lorafleet.ps.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.TensorChunk;

/**
 * Splits tensors into {@link TensorChunk}s of little-endian float32 bytes and back. Each chunk
 * carries its tensor's name, full shape and element offset, so a receiver can check it on its own.
 */
public final class TensorCodec {

  /**
   * Default chunk payload: 256 KiB, far below the default 8 MiB inbound message limit, and small
   * enough that a received message is never a G1 "humongous" allocation (half a region, ≥ 512 KiB).
   */
  public static final int DEFAULT_CHUNK_BYTES = 256 << 10;

  private TensorCodec() {}

  /** Chunks of at most {@code chunkBytes} payload bytes, made lazily (one chunk's copy in memory at a time). */
  public static Iterator<TensorChunk> chunks(Map<String, FloatTensor> tensors, int chunkBytes, ArrayKind kind) {
    return chunks(tensors, chunkBytes, kind, false);
  }

  /**
   * As {@link #chunks(Map, int, ArrayKind)}; with {@code reuseBuffer}, every chunk's payload lives in
   * one scratch array that the next call to {@code next()} overwrites. Only for a sender that
   * serialises each message before asking for the next (gRPC's {@code onNext} on a started call
   * with retries disabled does: it copies the message into transport buffers before returning).
   */
  public static Iterator<TensorChunk> chunks(Map<String, FloatTensor> tensors, int chunkBytes, ArrayKind kind,
      boolean reuseBuffer) {
    int perChunk = Math.max(1, chunkBytes / Float.BYTES);
    byte[] scratch = reuseBuffer ? new byte[perChunk * Float.BYTES] : null;
    List<Map.Entry<String, FloatTensor>> entries = new ArrayList<>(tensors.entrySet());
    return new Iterator<>() {
      int tensor;
      int offset;

      @Override
      public boolean hasNext() {
        return tensor < entries.size();
      }

      @Override
      public TensorChunk next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Map.Entry<String, FloatTensor> e = entries.get(tensor);
        float[] d = e.getValue().data();
        int n = Math.min(perChunk, d.length - offset);
        TensorChunk.Builder b = TensorChunk.newBuilder().setName(e.getKey()).setOffset(offset)
            .setData(scratch == null ? encode(d, offset, n) : encodeInto(scratch, d, offset, n)).setKind(kind);
        for (long s : e.getValue().shape()) {
          b.addShape(s);
        }
        offset += n;
        if (offset >= d.length) {
          tensor++;
          offset = 0;
        }
        return b.build();
      }
    };
  }

  /** All chunks at once (used to encode a published version once for many pulls). */
  public static List<TensorChunk> allChunks(Map<String, FloatTensor> tensors, int chunkBytes, ArrayKind kind) {
    List<TensorChunk> out = new ArrayList<>();
    chunks(tensors, chunkBytes, kind).forEachRemaining(out::add);
    return out;
  }

  /** {@code len} floats from {@code off} as little-endian bytes, wrapped without a second copy. */
  public static ByteString encode(float[] data, int off, int len) {
    byte[] b = new byte[len * Float.BYTES];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data, off, len);
    return UnsafeByteOperations.unsafeWrap(b);
  }

  private static ByteString encodeInto(byte[] scratch, float[] data, int off, int len) {
    ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data, off, len);
    return UnsafeByteOperations.unsafeWrap(scratch, 0, len * Float.BYTES);
  }

  /** Decodes little-endian float32 bytes into {@code dst} from {@code off}. */
  public static void decode(ByteString bytes, float[] dst, int off) {
    bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, off, bytes.size() / Float.BYTES);
  }
}
