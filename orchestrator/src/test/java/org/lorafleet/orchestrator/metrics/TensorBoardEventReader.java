package org.lorafleet.orchestrator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A TensorBoard event-file reader of the tests' own, independent of the writer: TFRecord framing with
 * both CRCs checked by a table-driven CRC32C (not the JDK's, which the writer uses), and a minimal
 * protobuf parser for Event, Summary and Summary.Value. Shape errors fail the calling test.
 */
public final class TensorBoardEventReader {

  private TensorBoardEventReader() {}

  /** One scalar of a run: its step and value. */
  public record Point(long step, float value) {}

  /**
   * Every scalar of every event file in {@code dir}, by tag, in file-name then record order; fails
   * the test when {@code dir} holds no event file.
   */
  public static Map<String, List<Point>> scalars(Path dir) {
    List<Path> files;
    try (java.util.stream.Stream<Path> list = Files.list(dir)) {
      files = list.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot list " + dir + ".", e);
    }
    assertTrue(!files.isEmpty(), "no event file in " + dir);
    Map<String, List<Point>> byTag = new java.util.TreeMap<>();
    for (Path f : files) {
      for (Event e : Event.readAll(f)) {
        for (Value v : e.values) {
          byTag.computeIfAbsent(v.tag(), t -> new ArrayList<>()).add(new Point(e.step, v.value()));
        }
      }
    }
    return byTag;
  }

  /** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), byte-wise with a 256-entry table. */
  public static final class Crc32c {
    private static final int[] TABLE = new int[256];

    static {
      for (int n = 0; n < 256; n++) {
        int c = n;
        for (int k = 0; k < 8; k++) {
          c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
        }
        TABLE[n] = c;
      }
    }

    public static int of(byte[] b, int off, int len) {
      int c = 0xFFFFFFFF;
      for (int i = off; i < off + len; i++) {
        c = TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
      }
      return ~c;
    }

    /** TFRecord's mask: rotate right by 15 bits, add 0xa282ead8 (mod 2^32). */
    public static int masked(byte[] b, int off, int len) {
      int c = of(b, off, len);
      return Integer.rotateRight(c, 15) + 0xa282ead8;
    }
  }

  /** TFRecord framing: u64 length, u32 masked CRC of the length, data, u32 masked CRC of the data. */
  public static final class Records {
    public static List<byte[]> parse(byte[] f) {
      List<byte[]> out = new ArrayList<>();
      int p = 0;
      while (p < f.length) {
        if (f.length - p < 12) {
          throw new IllegalStateException("Truncated record header at " + p + ".");
        }
        if (Crc32c.masked(f, p, 8) != le(f, p + 8, 4)) {
          throw new IllegalStateException("Length CRC mismatch at " + p + ".");
        }
        long len = le(f, p, 8);
        if (len < 0 || len > f.length - p - 16) {
          throw new IllegalStateException("Truncated record at " + p + " (length " + len + ").");
        }
        int n = (int) len;
        if (Crc32c.masked(f, p + 12, n) != le(f, p + 12 + n, 4)) {
          throw new IllegalStateException("Data CRC mismatch at " + p + ".");
        }
        out.add(java.util.Arrays.copyOfRange(f, p + 12, p + 12 + n));
        p += 12 + n + 4;
      }
      return out;
    }

    private static long le(byte[] b, int at, int size) {
      long v = 0;
      for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | (b[at + i] & 0xFF);
      }
      return size == 4 ? (int) v : v;
    }
  }

  /** One protobuf field value: its wire type and either a number (varint, fixed) or bytes. */
  public record Field(int wire, long num, byte[] bytes) {}

  /** A minimal protobuf reader: field number → values in the order they occur. */
  public static final class Proto {
    public static Map<Integer, List<Field>> parse(byte[] b) {
      Map<Integer, List<Field>> fields = new HashMap<>();
      int[] p = {0};
      while (p[0] < b.length) {
        long key = varint(b, p);
        int wire = (int) (key & 7);
        Field f;
        switch (wire) {
          case 0 -> f = new Field(wire, varint(b, p), null);
          case 1 -> f = new Field(wire, fixed(b, p, 8), null);
          case 5 -> f = new Field(wire, fixed(b, p, 4), null);
          case 2 -> {
            int n = (int) varint(b, p);
            f = new Field(wire, n, java.util.Arrays.copyOfRange(b, p[0], p[0] + n));
            p[0] += n;
          }
          default -> throw new IllegalStateException("Unexpected wire type in key " + key + ".");
        }
        fields.computeIfAbsent((int) (key >>> 3), k -> new ArrayList<>()).add(f);
      }
      if (p[0] != b.length) {
        throw new IllegalStateException("A field runs past the message end.");
      }
      return fields;
    }

    private static long varint(byte[] b, int[] p) {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        int x = b[p[0]++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
    }

    private static long fixed(byte[] b, int[] p, int size) {
      long v = 0;
      for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | (b[p[0] + i] & 0xFF);
      }
      p[0] += size;
      return v;
    }

    /** The one value of {@code field}, checked to have wire type {@code wire}; null when absent. */
    public static Field single(Map<Integer, List<Field>> m, int field, int wire) {
      List<Field> l = m.get(field);
      if (l == null) {
        return null;
      }
      assertEquals(1, l.size(), "field " + field + " occurs once");
      assertEquals(wire, l.get(0).wire(), "wire type of field " + field);
      return l.get(0);
    }
  }

  public record Value(String tag, float value) {}

  /** Event {wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary}. */
  public static final class Event {
    public double wallTime;
    public long step;
    public String fileVersion;
    public final List<Value> values = new ArrayList<>();

    public static List<Event> readAll(Path file) {
      try {
        return Records.parse(Files.readAllBytes(file)).stream().map(Event::of).collect(Collectors.toList());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    public static Event of(byte[] data) {
      Map<Integer, List<Field>> m = Proto.parse(data);
      assertTrue(Set.of(1, 2, 3, 5).containsAll(m.keySet()), "only known Event fields: " + m.keySet());
      Event e = new Event();
      e.wallTime = Double.longBitsToDouble(Proto.single(m, 1, 1).num());
      Field step = Proto.single(m, 2, 0);
      e.step = step == null ? 0 : step.num();
      Field version = Proto.single(m, 3, 2);
      e.fileVersion = version == null ? null : new String(version.bytes(), StandardCharsets.UTF_8);
      Field summary = Proto.single(m, 5, 2);
      if (summary != null) {
        Map<Integer, List<Field>> s = Proto.parse(summary.bytes());
        assertEquals(Set.of(1), s.keySet(), "Summary has only values");
        for (Field raw : s.get(1)) {
          assertEquals(2, raw.wire());
          Map<Integer, List<Field>> v = Proto.parse(raw.bytes());
          assertEquals(Set.of(1, 2), v.keySet(), "Value has a tag and a simple_value");
          String tag = new String(Proto.single(v, 1, 2).bytes(), StandardCharsets.UTF_8);
          float f = Float.intBitsToFloat((int) Proto.single(v, 2, 5).num());
          e.values.add(new Value(tag, f));
        }
      }
      return e;
    }
  }
}
