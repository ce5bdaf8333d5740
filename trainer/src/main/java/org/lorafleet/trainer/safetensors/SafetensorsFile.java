package org.lorafleet.trainer.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * A safetensors file opened for reading. {@link #open} reads and validates the whole header; tensors
 * are read on demand with positional reads in bounded chunks, so files (and tensors) larger than 2 GB
 * work. Reads are safe from several threads at once. If a reading thread is interrupted (which closes
 * a {@link FileChannel} for every user), the channel is reopened for the other threads.
 */
public final class SafetensorsFile implements AutoCloseable {

  /** Largest header accepted, as in the reference implementation. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final int CHUNK_BYTES = 8 << 20; // a multiple of every dtype size

  private final Path path;
  private final long fileSize;
  private final long dataStart;
  private final SafetensorsHeader header;
  private volatile FileChannel channel;
  private volatile boolean closed;

  private SafetensorsFile(Path path, FileChannel channel, long fileSize, long dataStart, SafetensorsHeader header) {
    this.path = path;
    this.channel = channel;
    this.fileSize = fileSize;
    this.dataStart = dataStart;
    this.header = header;
  }

  /**
   * Opens {@code path} and validates its header.
   *
   * @throws SafetensorsFormatException if the file is not a well-formed safetensors file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static SafetensorsFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("Safetensors file " + path + " does not exist.", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not open safetensors file " + path + ": " + e.getMessage(), e);
    }
    try {
      long size = ch.size();
      if (size < 8) {
        throw new SafetensorsFormatException(path + " is not a safetensors file: it has " + size
            + " bytes, fewer than the 8-byte header length.");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long headerLength = len.flip().getLong();
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw new SafetensorsFormatException(path + " declares a header of " + Long.toUnsignedString(headerLength)
            + " bytes, more than the limit of " + MAX_HEADER_BYTES + " bytes; it is probably not a safetensors file.");
      }
      if (headerLength > size - 8) {
        throw new SafetensorsFormatException(path + " declares a header of " + headerLength
            + " bytes but only " + (size - 8) + " bytes follow the header length.");
      }
      ByteBuffer json = ByteBuffer.allocate((int) headerLength);
      readFully(ch, json, 8);
      long dataStart = 8 + headerLength;
      SafetensorsHeader header = SafetensorsHeader.parse(path, json.array(), size - dataStart);
      return new SafetensorsFile(path, ch, size, dataStart, header);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("Could not read the header of " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** Tensor names in the order of the file's header. */
  public Set<String> names() {
    return header.entries().keySet();
  }

  public boolean has(String name) {
    return header.entries().containsKey(name);
  }

  public long[] shape(String name) {
    return entry(name).shape().clone();
  }

  public DType dtype(String name) {
    return entry(name).dtype();
  }

  /** The {@code __metadata__} map of the header, empty if there is none. */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** Reads a floating-point tensor (F32, F16, BF16 or F64) as float32; F64 values are rounded to nearest. */
  public FloatTensor readFloat(String name) {
    SafetensorsHeader.Entry e = entry(name);
    if (!e.dtype().isFloatingPoint()) {
      throw new SafetensorsFormatException(path + ": tensor '" + name + "' has dtype " + e.dtype()
          + ", which readFloat does not convert; it reads F32, F16, BF16 and F64 tensors.");
    }
    float[] out = new float[checkedLength(e, "a float array")];
    readChunks(e, (buf, at) -> {
      switch (e.dtype()) {
        case F32 -> {
          FloatBuffer fb = buf.asFloatBuffer();
          fb.get(out, at, fb.remaining());
        }
        case F64 -> {
          DoubleBuffer db = buf.asDoubleBuffer();
          for (int i = at; db.hasRemaining(); i++) {
            out[i] = (float) db.get();
          }
        }
        case F16 -> {
          ShortBuffer sb = buf.asShortBuffer();
          for (int i = at; sb.hasRemaining(); i++) {
            out[i] = HalfFloats.halfToFloat(sb.get());
          }
        }
        case BF16 -> {
          ShortBuffer sb = buf.asShortBuffer();
          for (int i = at; sb.hasRemaining(); i++) {
            out[i] = HalfFloats.bf16ToFloat(sb.get());
          }
        }
        default -> throw new IllegalStateException("Unreachable dtype " + e.dtype() + ".");
      }
    });
    return new FloatTensor(e.shape(), out);
  }

  /**
   * Copies a tensor's raw little-endian bytes into {@code dst} (e.g. the native buffer of an array
   * of the same dtype), without converting or passing through a Java array; fails when the sizes differ.
   */
  public void readRaw(String name, ByteBuffer dst) {
    SafetensorsHeader.Entry e = entry(name);
    if (dst.remaining() != e.byteLength()) {
      throw new IllegalArgumentException("Tensor '" + name + "' in " + path + " has " + e.byteLength()
          + " bytes but the destination holds " + dst.remaining() + ".");
    }
    ByteBuffer out = dst.duplicate();
    readChunks(e, (buf, at) -> out.put(buf));
  }

  /** Reads an integer tensor (I64, I32, I16, I8 or U8) as int64, for example a [B, T] batch of token ids. */
  public long[] readLong(String name) {
    SafetensorsHeader.Entry e = entry(name);
    if (!e.dtype().isInteger()) {
      throw new SafetensorsFormatException(path + ": tensor '" + name + "' has dtype " + e.dtype()
          + ", which readLong does not convert; it reads I64, I32, I16, I8 and U8 tensors.");
    }
    long[] out = new long[checkedLength(e, "a long array")];
    readChunks(e, (buf, at) -> {
      switch (e.dtype()) {
        case I64 -> {
          LongBuffer lb = buf.asLongBuffer();
          lb.get(out, at, lb.remaining());
        }
        case I32 -> {
          IntBuffer ib = buf.asIntBuffer();
          for (int i = at; ib.hasRemaining(); i++) {
            out[i] = ib.get();
          }
        }
        case I16 -> {
          ShortBuffer sb = buf.asShortBuffer();
          for (int i = at; sb.hasRemaining(); i++) {
            out[i] = sb.get();
          }
        }
        case I8 -> {
          for (int i = at; buf.hasRemaining(); i++) {
            out[i] = buf.get();
          }
        }
        case U8 -> {
          for (int i = at; buf.hasRemaining(); i++) {
            out[i] = buf.get() & 0xff;
          }
        }
        default -> throw new IllegalStateException("Unreachable dtype " + e.dtype() + ".");
      }
    });
    return out;
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeQuietly(channel);
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.entries().size() + " tensors]";
  }

  private SafetensorsHeader.Entry entry(String name) {
    SafetensorsHeader.Entry e = header.entries().get(name);
    if (e == null) {
      throw new SafetensorsFormatException(path + " has no tensor named '" + name + "'.");
    }
    return e;
  }

  private int checkedLength(SafetensorsHeader.Entry e, String into) {
    long n = e.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new SafetensorsFormatException(path + ": tensor '" + e.name() + "' has " + n
          + " elements, too many for " + into + ".");
    }
    return (int) n;
  }

  @FunctionalInterface
  private interface ChunkSink {
    /** Consumes a little-endian buffer of whole elements whose first element has index {@code at}. */
    void accept(ByteBuffer chunk, int at);
  }

  private void readChunks(SafetensorsHeader.Entry e, ChunkSink sink) {
    long total = e.byteLength();
    if (total == 0) {
      return;
    }
    int elementSize = e.dtype().byteSize();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(total, CHUNK_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    long done = 0;
    while (done < total) {
      int n = (int) Math.min(buf.capacity(), total - done);
      buf.clear().limit(n);
      readWithReopen(e, buf, dataStart + e.begin() + done);
      buf.flip();
      sink.accept(buf, (int) (done / elementSize));
      done += n;
    }
  }

  private void readWithReopen(SafetensorsHeader.Entry e, ByteBuffer buf, long position) {
    int start = buf.position();
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = openChannel();
      try {
        buf.position(start);
        readFully(ch, buf, position);
        return;
      } catch (ClosedByInterruptException ex) {
        reopen(ch);
        throw new UncheckedIOException("Reading tensor '" + e.name() + "' from " + path
            + " was interrupted.", ex);
      } catch (AsynchronousCloseException ex) {
        // Another thread was interrupted while reading and so closed the shared channel.
        if (closed || attempt >= 3) {
          throw new IllegalStateException("Safetensors file " + path + " was closed while tensor '"
              + e.name() + "' was being read.", ex);
        }
        reopen(ch);
      } catch (IOException ex) {
        throw new UncheckedIOException("Could not read tensor '" + e.name() + "' from " + path + ": "
            + ex.getMessage(), ex);
      }
    }
  }

  private FileChannel openChannel() {
    if (closed) {
      throw new IllegalStateException("Safetensors file " + path + " is closed.");
    }
    return channel;
  }

  private synchronized void reopen(FileChannel broken) {
    if (closed || channel != broken) {
      return;
    }
    try {
      FileChannel fresh = FileChannel.open(path, StandardOpenOption.READ);
      if (fresh.size() != fileSize) {
        closeQuietly(fresh);
        throw new IllegalStateException("Safetensors file " + path + " changed size from " + fileSize + " to "
            + fresh.size() + " bytes while it was open.");
      }
      channel = fresh;
    } catch (IOException ex) {
      throw new UncheckedIOException("Could not reopen safetensors file " + path + ": " + ex.getMessage(), ex);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // Closing a read-only channel cannot lose data.
    }
  }
}
