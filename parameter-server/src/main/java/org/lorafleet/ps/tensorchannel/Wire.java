package org.lorafleet.ps.tensorchannel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The tensor channel's framing over a blocking {@link SocketChannel}, buffered through one direct
 * buffer per direction. Scalars are big-endian; tensor payloads are little-endian float32, row-major.
 *
 * <pre>
 * hello      C→S  int MAGIC, int VERSION, str jobId                     S→C  status, 32 bytes nonce
 * proof      C→S  32 bytes HMAC(token, nonce) (JobTokens.proof)         S→C  status
 * push       C→S  byte OP_PUSH, byte kind (0 gradient sums, 1 weight deltas), long step, double lossSum,
 *                 long tokens, str workerId, specs, payload            S→C  status, long step,
 *                 byte duplicate, byte applied, long version, int pendingWorkers
 * pull       C→S  byte OP_PULL                                         S→C  status, long version,
 *                 byte hasOutcome, [outcome], specs, payload
 * await      C→S  byte OP_AWAIT, str workerId ("" = none), long minVersion, long timeoutMillis
 *                                                                       S→C  status, long version,
 *                 byte hasOutcome, [outcome]   (answered once the version is reached, or the wait failed)
 * pull after C→S  byte OP_PULL_AT_LEAST, str workerId, long minVersion, long timeoutMillis
 *                                                                       S→C  as pull, once the version is reached
 * status     byte 0 (ok) | byte 1, str PsStatus, str Refusal, str message
 * specs      int count, count × (str name, int rank, rank × long dim)
 * payload    every tensor's values in spec order, numel × 4 bytes each
 * outcome    long step, long version, double meanLoss, long tokens, double gradNorm, double lr,
 *            int workers, double applyMillis
 * str        int byte length (≤ 64 KiB), UTF-8 bytes
 * </pre>
 *
 * Not thread-safe: one reader and one writer per connection, used by one call at a time.
 * Reads and writes block; closing the channel from another thread ends them with an exception.
 */
public final class Wire {

  public static final int MAGIC = 0x4C465443; // "LFTC"
  public static final int VERSION = 2; // 2: challenge-response handshake, no token on the wire
  public static final byte OP_PUSH = 1;
  public static final byte OP_PULL = 2;
  public static final byte OP_AWAIT = 3;
  public static final byte OP_PULL_AT_LEAST = 4;
  public static final byte OK = 0;
  public static final byte ERROR = 1;
  static final int MAX_STRING_BYTES = 64 << 10;
  static final int MAX_RANK = 8;
  static final int BUFFER_BYTES = 1 << 20;
  /** Kernel socket buffers asked for (the kernel may cap them): lets a sender run ahead of the receiver's decoding. */
  static final int SOCKET_BUFFER_BYTES = 4 << 20;

  private Wire() {}

  /** Buffered reads from a channel. */
  public static final class In {
    private final SocketChannel ch;
    private final ByteBuffer buf;
    private long bytes;

    /** Reads through a new 1 MiB direct buffer. */
    public In(SocketChannel ch) {
      this(ch, ByteBuffer.allocateDirect(BUFFER_BYTES));
    }

    /** Reads through {@code buffer} (cleared here; no field may be larger than its capacity). */
    public In(SocketChannel ch, ByteBuffer buffer) {
      this.ch = ch;
      this.buf = buffer.clear().limit(0);
    }

    /** Bytes received but not read yet. */
    public int buffered() {
      return buf.remaining();
    }

    /** Fills {@code dst} with the next bytes as they are. */
    public void readBytes(byte[] dst) throws IOException {
      int off = 0;
      while (off < dst.length) {
        need(1);
        int k = Math.min(buf.remaining(), dst.length - off);
        buf.get(dst, off, k);
        off += k;
      }
      bytes += dst.length;
    }

    /** Bytes consumed so far (header and payload). */
    public long bytes() {
      return bytes;
    }

    private void need(int n) throws IOException {
      if (buf.remaining() >= n) {
        return;
      }
      buf.compact();
      while (buf.position() < n) {
        if (ch.read(buf) < 0) {
          throw new EOFException("The connection closed " + (n - buf.position()) + " bytes into a "
              + n + "-byte field.");
        }
      }
      buf.flip();
    }

    public byte readByte() throws IOException {
      need(1);
      bytes += 1;
      return buf.get();
    }

    public int readInt() throws IOException {
      need(4);
      bytes += 4;
      return buf.getInt();
    }

    public long readLong() throws IOException {
      need(8);
      bytes += 8;
      return buf.getLong();
    }

    public double readDouble() throws IOException {
      need(8);
      bytes += 8;
      return buf.getDouble();
    }

    /** A string; lengths beyond 64 KiB or below 0 are a protocol error. */
    public String readString() throws IOException {
      int n = readInt();
      if (n < 0 || n > MAX_STRING_BYTES) {
        throw new ProtocolException("A string field claims " + n + " bytes (at most " + MAX_STRING_BYTES + ").");
      }
      byte[] b = new byte[n];
      readBytes(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    /** Fills {@code dst} with little-endian float32 values. */
    public void readFloats(float[] dst) throws IOException {
      readFloats(dst, false);
    }

    /**
     * Fills {@code dst} with little-endian float32 values; with {@code checkFinite}, also checks each
     * piece while it is still in cache and returns false if any value is NaN or infinite.
     */
    public boolean readFloats(float[] dst, boolean checkFinite) throws IOException {
      boolean finite = true;
      int off = 0;
      while (off < dst.length) {
        need(Float.BYTES);
        int n = Math.min(buf.remaining() / Float.BYTES, dst.length - off);
        buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, off, n);
        buf.position(buf.position() + n * Float.BYTES);
        if (checkFinite && finite) {
          for (int i = off; i < off + n; i++) {
            if (!Float.isFinite(dst[i])) {
              finite = false;
              break;
            }
          }
        }
        off += n;
      }
      bytes += (long) dst.length * Float.BYTES;
      return finite;
    }

    /** Reads and drops {@code n} bytes. */
    public void skip(long n) throws IOException {
      long left = n;
      while (left > 0) {
        need(1);
        int k = (int) Math.min(buf.remaining(), left);
        buf.position(buf.position() + k);
        left -= k;
      }
      bytes += n;
    }
  }

  /** Buffered writes to a channel; nothing is sent before {@link #flush()} or a full buffer. */
  public static final class Out {
    private final SocketChannel ch;
    private final ByteBuffer buf;
    private long bytes;

    /** Writes through a new 1 MiB direct buffer. */
    public Out(SocketChannel ch) {
      this(ch, ByteBuffer.allocateDirect(BUFFER_BYTES));
    }

    /** Writes through {@code buffer} (cleared here). */
    public Out(SocketChannel ch, ByteBuffer buffer) {
      this.ch = ch;
      this.buf = buffer.clear();
    }

    public long bytes() {
      return bytes;
    }

    private void room(int n) throws IOException {
      if (buf.remaining() < n) {
        drain();
      }
    }

    private void drain() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }

    public Out writeByte(int b) throws IOException {
      room(1);
      buf.put((byte) b);
      bytes += 1;
      return this;
    }

    public Out writeInt(int v) throws IOException {
      room(4);
      buf.putInt(v);
      bytes += 4;
      return this;
    }

    public Out writeLong(long v) throws IOException {
      room(8);
      buf.putLong(v);
      bytes += 8;
      return this;
    }

    public Out writeDouble(double v) throws IOException {
      room(8);
      buf.putDouble(v);
      bytes += 8;
      return this;
    }

    public Out writeString(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > MAX_STRING_BYTES) {
        throw new IllegalArgumentException("A string of " + b.length + " bytes is too long for the tensor channel "
            + "(at most " + MAX_STRING_BYTES + ").");
      }
      writeInt(b.length);
      return writeBytes(ByteBuffer.wrap(b));
    }

    /** Appends {@code b}'s remaining bytes. */
    public Out writeBytes(ByteBuffer b) throws IOException {
      bytes += b.remaining();
      while (b.hasRemaining()) {
        room(1);
        int k = Math.min(buf.remaining(), b.remaining());
        buf.put(b.slice().limit(k));
        b.position(b.position() + k);
      }
      return this;
    }

    /** Appends {@code src} as little-endian float32 values. */
    public Out writeFloats(float[] src) throws IOException {
      int off = 0;
      while (off < src.length) {
        room(Float.BYTES);
        int n = Math.min(buf.remaining() / Float.BYTES, src.length - off);
        buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, off, n);
        buf.position(buf.position() + n * Float.BYTES);
        off += n;
      }
      bytes += (long) src.length * Float.BYTES;
      return this;
    }

    /** Sends {@code b}'s remaining bytes right away (nothing may be buffered: flush first). Blocks. */
    public void writeDirect(ByteBuffer b) throws IOException {
      if (buf.position() != 0) {
        throw new IllegalStateException("Flush before writing a buffer directly.");
      }
      bytes += b.remaining();
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    /** Sends everything buffered; blocks until the kernel took it. */
    public void flush() throws IOException {
      drain();
    }
  }

  /** The peer broke the framing; the connection cannot be used further. */
  public static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
      super(message);
    }
  }
}
