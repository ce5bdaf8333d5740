package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.TensorSpec;

/** The composite parts of the {@link Wire} format: status replies, tensor specs, step outcomes. */
final class Messages {

  private Messages() {}

  static void writeOk(Wire.Out out) throws IOException {
    out.writeByte(Wire.OK);
  }

  static void writeError(Wire.Out out, PsException e) throws IOException {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    if (msg.length() > 8192) {
      msg = msg.substring(0, 8192) + "…";
    }
    out.writeByte(Wire.ERROR).writeString(e.status().name()).writeString(e.reason().name()).writeString(msg);
  }

  /** Reads a status; returns on OK, throws the server's {@link PsException} otherwise. */
  static void readStatus(Wire.In in) throws IOException {
    byte b = in.readByte();
    if (b == Wire.OK) {
      return;
    }
    if (b != Wire.ERROR) {
      throw new Wire.ProtocolException("Expected a status byte, got " + b + ".");
    }
    String status = in.readString();
    String reason = in.readString();
    String message = in.readString();
    PsStatus s;
    Refusal r;
    try {
      s = PsStatus.valueOf(status);
      r = Refusal.valueOf(reason);
    } catch (IllegalArgumentException e) {
      throw new Wire.ProtocolException("Unknown status " + status + "/" + reason + ": " + message);
    }
    throw new PsException(s, r, message, null);
  }

  /** Bytes of a step outcome on the wire: six 8-byte fields, one int, one double. */
  static final int OUTCOME_BYTES = 7 * 8 + 4;

  static void writeSpecs(Wire.Out out, Map<String, FloatTensor> tensors) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(specsBytes(tensors));
    putSpecs(b, tensors);
    out.writeBytes(b.flip());
  }

  /**
   * The reply that carries a version (pull, await): OK, version, outcome flag and outcome, then,
   * with {@code tensors} non-null, their specs (the payload follows separately). Flipped, ready to send.
   */
  static ByteBuffer versionReply(long version, StepOutcome o, Map<String, FloatTensor> tensors) {
    int size = 1 + 8 + 1 + (o == null ? 0 : OUTCOME_BYTES) + (tensors == null ? 0 : specsBytes(tensors));
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(Wire.OK).putLong(version).put((byte) (o == null ? 0 : 1));
    if (o != null) {
      b.putLong(o.step()).putLong(o.version()).putDouble(o.meanLoss()).putLong(o.tokens())
          .putDouble(o.gradNormBeforeClip()).putDouble(o.lr()).putInt(o.workers()).putDouble(o.applyMillis());
    }
    if (tensors != null) {
      putSpecs(b, tensors);
    }
    return b.flip();
  }

  private static int specsBytes(Map<String, FloatTensor> tensors) {
    int n = 4;
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      n += 4 + nameBytes(e.getKey()).length + 4 + 8 * e.getValue().rank();
    }
    return n;
  }

  private static void putSpecs(ByteBuffer b, Map<String, FloatTensor> tensors) {
    b.putInt(tensors.size());
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      byte[] name = nameBytes(e.getKey());
      b.putInt(name.length).put(name).putInt(e.getValue().rank());
      for (long d : e.getValue().shape()) {
        b.putLong(d);
      }
    }
  }

  private static byte[] nameBytes(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    if (b.length > Wire.MAX_STRING_BYTES) {
      throw new IllegalArgumentException("Tensor name of " + b.length + " bytes is too long for the tensor channel "
          + "(at most " + Wire.MAX_STRING_BYTES + ").");
    }
    return b;
  }

  /** Names and shapes as sent; counts and ranks beyond sane bounds are a protocol error. */
  static List<Declared> readSpecs(Wire.In in, int maxCount) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > maxCount) {
      throw new Wire.ProtocolException("The header declares " + n + " tensors (at most " + maxCount + ").");
    }
    List<Declared> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = in.readString();
      int rank = in.readInt();
      if (rank < 0 || rank > Wire.MAX_RANK) {
        throw new Wire.ProtocolException("Tensor '" + name + "' is declared with rank " + rank + " (at most "
            + Wire.MAX_RANK + ").");
      }
      long[] shape = new long[rank];
      for (int d = 0; d < rank; d++) {
        shape[d] = in.readLong();
      }
      out.add(new Declared(name, shape));
    }
    return out;
  }

  /** A tensor as a header declares it, before anything is checked. */
  record Declared(String name, long[] shape) {
    /** Element count, or -1 for a shape no float array can hold. */
    long numelOrMinusOne() {
      try {
        return FloatTensor.numel(shape);
      } catch (IllegalArgumentException | ArithmeticException e) {
        return -1;
      }
    }

    boolean matches(TensorSpec spec) {
      return Arrays.equals(spec.shape(), shape);
    }
  }

  static StepOutcome readOutcome(Wire.In in) throws IOException {
    return new StepOutcome(in.readLong(), in.readLong(), in.readDouble(), in.readLong(), in.readDouble(),
        in.readDouble(), in.readInt(), in.readDouble());
  }
}
