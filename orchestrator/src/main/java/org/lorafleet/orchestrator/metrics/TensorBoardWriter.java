package org.lorafleet.orchestrator.metrics;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.DoubleSupplier;
import java.util.zip.CRC32C;

/**
 * One TensorBoard event file of scalars, written without TensorFlow or a protobuf library. The file
 * is {@code events.out.tfevents.<unix seconds>.<hostname>.<pid>.lorafleet} in the given folder; it
 * starts with the version event TensorBoard expects, and each {@link #scalar} appends one event.
 *
 * <p>Wire format, after TensorFlow's {@code tensorflow/core/util/event.proto} and
 * {@code tensorflow/core/framework/summary.proto}, in protobuf encoding (each field is a varint key
 * {@code field << 3 | wire type}; wire types 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed
 * 32-bit; fixed values little-endian):
 * <pre>
 * Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary { repeated Value value = 1; }
 * Value   { string tag = 1; float simple_value = 2; }
 * </pre>
 * Each event is one TFRecord ({@code tensorflow/core/lib/io/record_writer.cc}): uint64 length, uint32
 * masked CRC32C of those 8 bytes, the data, uint32 masked CRC32C of the data, all little-endian; the
 * mask ({@code crc32c.h}) is {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8} in 32-bit arithmetic.
 *
 * <p>Methods are synchronized, so threads may share a writer. Nothing reaches the disk before
 * {@link #flush} or {@link #close} is called or the buffer fills.
 */
public final class TensorBoardWriter implements AutoCloseable {

  private static final int MASK_DELTA = 0xa282ead8;
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private final Path file;
  private final DoubleSupplier clock;
  private final OutputStream out;
  private boolean closed;

  /** {@code clock}: wall time in seconds since the epoch, fractional (tests inject a fixed one). */
  TensorBoardWriter(Path dir, DoubleSupplier clock) {
    this.clock = clock;
    double now = clock.getAsDouble();
    this.file = dir.resolve("events.out.tfevents." + (long) Math.floor(now) + "." + hostname() + "."
        + ProcessHandle.current().pid() + ".lorafleet");
    try {
      Files.createDirectories(dir);
      // CREATE_NEW: never truncate the events of another writer that started in the same second
      this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the TensorBoard event file " + file + ".", e);
    }
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    fixed(event, 1, Double.doubleToRawLongBits(now), 8);
    bytes(event, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
    record(event.toByteArray()); // into the empty buffer: no IO yet, so nothing to clean up on failure
  }

  /** Creates {@code dir} if needed and a new event file in it, stamped with the system clock. */
  public static TensorBoardWriter create(Path dir) {
    return new TensorBoardWriter(dir, () -> System.currentTimeMillis() / 1000.0);
  }

  /** The event file. */
  public Path file() {
    return file;
  }

  /**
   * Appends the scalar {@code value} of {@code tag} at {@code step}, stamped with the current wall
   * time. The value is stored as a 32-bit float (TensorBoard's simple_value). A NaN or infinite value,
   * or one beyond float range, is skipped (nothing is written): TensorBoard draws such points badly,
   * and metrics.jsonl records non-finite values as null anyway.
   */
  public synchronized void scalar(String tag, long step, double value) {
    ensureOpen();
    float f = (float) value;
    if (!Float.isFinite(f)) {
      return;
    }
    ByteArrayOutputStream v = new ByteArrayOutputStream();
    bytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
    fixed(v, 2, Float.floatToRawIntBits(f), 4);
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    bytes(summary, 1, v.toByteArray());
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    fixed(event, 1, Double.doubleToRawLongBits(clock.getAsDouble()), 8);
    key(event, 2, VARINT);
    varint(event, step); // int64: a negative step takes ten bytes, as protobuf encodes it
    bytes(event, 5, summary.toByteArray());
    record(event.toByteArray());
  }

  /** Writes the buffered events to the file. */
  public synchronized void flush() {
    ensureOpen();
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the TensorBoard event file " + file + ".", e);
    }
  }

  /** Flushes and closes the file; closing again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close the TensorBoard event file " + file + ".", e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The TensorBoard event file " + file + " is already closed.");
    }
  }

  private void record(byte[] data) {
    byte[] r = new byte[12 + data.length + 4];
    littleEndian(r, 0, data.length, 8);
    littleEndian(r, 8, maskedCrc(r, 0, 8), 4);
    System.arraycopy(data, 0, r, 12, data.length);
    littleEndian(r, 12 + data.length, maskedCrc(data, 0, data.length), 4);
    try {
      out.write(r);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the TensorBoard event file " + file + ".", e);
    }
  }

  /** The masked CRC32C (Castagnoli) of {@code length} bytes of {@code b} from {@code offset}. */
  static int maskedCrc(byte[] b, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(b, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  private static void littleEndian(byte[] b, int at, long v, int size) {
    for (int i = 0; i < size; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void key(ByteArrayOutputStream o, int field, int wireType) {
    varint(o, (long) field << 3 | wireType);
  }

  private static void varint(ByteArrayOutputStream o, long v) {
    while ((v & ~0x7FL) != 0) {
      o.write((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    o.write((int) v);
  }

  /** A fixed-width field: wire type 1 (8 bytes) or 5 (4 bytes), little-endian. */
  private static void fixed(ByteArrayOutputStream o, int field, long bits, int size) {
    key(o, field, size == 8 ? FIXED64 : FIXED32);
    byte[] b = new byte[size];
    littleEndian(b, 0, bits, size);
    o.write(b, 0, size);
  }

  private static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
    key(o, field, LENGTH_DELIMITED);
    varint(o, b.length);
    o.write(b, 0, b.length);
  }

  /** This host's name as a file name part; "localhost" when it cannot be found. */
  private static String hostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
      return name.isEmpty() ? "localhost" : name;
    } catch (IOException | RuntimeException e) {
      return "localhost";
    }
  }
}
