package org.lorafleet.orchestrator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorBoard event files, read back by a reader of the test's own: TFRecord framing with both CRCs
 * checked by a table-driven CRC32C (not the JDK's, which the writer uses), and a minimal protobuf
 * parser for Event, Summary and Summary.Value.
 */
class TensorBoardWriterTest {

  /** {@code events.out.tfevents.<unix seconds>.<hostname>.<pid>.lorafleet} */
  private static final Pattern NAME =
      Pattern.compile("events\\.out\\.tfevents\\.(\\d+)\\.([A-Za-z0-9._-]+)\\.(\\d+)\\.lorafleet");

  @TempDir
  Path tmp;

  @Test
  void crc32cKnownAnswer() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, Crc32c.of(check, 0, check.length), "the test's own CRC32C");
    assertEquals(Crc32c.masked(check, 0, check.length), TensorBoardWriter.maskedCrc(check, 0, check.length),
        "the writer's masked CRC agrees with the test's");
    assertEquals(0, Crc32c.of(new byte[0], 0, 0));
  }

  @Test
  void fileIsNamedAndStartsWithTheVersionEvent() throws IOException {
    Path dir = tmp.resolve("a/b/tensorboard");
    try (TensorBoardWriter w = new TensorBoardWriter(dir, () -> 1_700_000_000.25)) {
      assertEquals(dir, w.file().getParent());
      Matcher m = NAME.matcher(w.file().getFileName().toString());
      assertTrue(m.matches(), w.file().getFileName().toString());
      assertEquals("1700000000", m.group(1));
      assertEquals(Long.toString(ProcessHandle.current().pid()), m.group(3));
    }
    List<Event> events = Event.readAll(onlyEventFile(dir));
    assertEquals(1, events.size());
    Event first = events.get(0);
    assertEquals("brain.Event:2", first.fileVersion);
    assertEquals(1_700_000_000.25, first.wallTime);
    assertEquals(0, first.step);
    assertTrue(first.values.isEmpty());
  }

  @Test
  void createUsesTheSystemClock() {
    long before = System.currentTimeMillis() / 1000;
    Path file;
    try (TensorBoardWriter w = TensorBoardWriter.create(tmp)) {
      file = w.file();
    }
    long after = System.currentTimeMillis() / 1000;
    Matcher m = NAME.matcher(file.getFileName().toString());
    assertTrue(m.matches(), file.getFileName().toString());
    long seconds = Long.parseLong(m.group(1));
    assertTrue(before <= seconds && seconds <= after, seconds + " not in [" + before + ", " + after + "]");
    double wall = Event.readAll(file).get(0).wallTime;
    assertTrue(before <= wall && wall < after + 1, Double.toString(wall));
  }

  @Test
  void scalarsComeBackInOrderWithFloatPrecision() {
    AtomicInteger ticks = new AtomicInteger();
    DoubleSupplier clock = () -> 1000.5 + ticks.getAndIncrement();
    Path file;
    try (TensorBoardWriter w = new TensorBoardWriter(tmp, clock)) {
      file = w.file();
      w.scalar("train/loss", 1, 2.302585092994046);
      w.scalar("train/lr", 1, 1e-4);
      w.scalar("train/loss", 2, 0.1);
      w.scalar("eval/loss", 0, -3.5);
      w.scalar("big step", 1L << 40, 7);
      w.scalar("negative step", -5, 1);
      w.scalar("ünïcode/τ", 3, 1e30);
    }
    List<Event> events = Event.readAll(file);
    assertEquals(8, events.size());
    assertEquals("brain.Event:2", events.get(0).fileVersion);
    List<Event> s = events.subList(1, events.size());
    String[] tags = {"train/loss", "train/lr", "train/loss", "eval/loss", "big step", "negative step", "ünïcode/τ"};
    long[] steps = {1, 1, 2, 0, 1L << 40, -5, 3};
    float[] values = {(float) 2.302585092994046, 1e-4f, 0.1f, -3.5f, 7f, 1f, 1e30f};
    for (int i = 0; i < s.size(); i++) {
      Event e = s.get(i);
      assertNull(e.fileVersion);
      assertEquals(1, e.values.size());
      assertEquals(tags[i], e.values.get(0).tag);
      assertEquals(steps[i], e.step);
      assertEquals(values[i], e.values.get(0).value, "bit-exact float for " + tags[i]);
      assertEquals(1000.5 + i + 1, e.wallTime, "wall time of the event, from the clock");
    }
  }

  @Test
  void everyFlippedByteFailsTheReadersCrcCheck() throws IOException {
    Path file;
    try (TensorBoardWriter w = new TensorBoardWriter(tmp, () -> 42.0)) {
      file = w.file();
      w.scalar("train/loss", 7, 1.5);
      w.scalar("eval/loss", 8, 2.5);
    }
    byte[] good = Files.readAllBytes(file);
    assertEquals(3, Records.parse(good).size());
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      int at = i;
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Records.parse(bad),
          "a flip at byte " + at + " of " + good.length + " goes unnoticed");
      assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
    assertThrows(IllegalStateException.class, () -> Records.parse(cut), "a truncated file");
  }

  @Test
  void nonFiniteValuesAreSkipped() {
    Path file;
    try (TensorBoardWriter w = new TensorBoardWriter(tmp, () -> 1.0)) {
      file = w.file();
      w.scalar("x", 1, 1.0);
      w.scalar("x", 2, Double.NaN);
      w.scalar("x", 3, Double.POSITIVE_INFINITY);
      w.scalar("x", 4, Double.NEGATIVE_INFINITY);
      w.scalar("x", 5, 1e300); // beyond float range
      w.scalar("x", 6, 6.0);
    }
    List<Event> s = Event.readAll(file);
    assertEquals(List.of(1L, 6L), s.subList(1, s.size()).stream().map(e -> e.step).collect(Collectors.toList()));
  }

  @Test
  void flushMakesEventsReadableAndCloseIsFinal() {
    TensorBoardWriter w = new TensorBoardWriter(tmp, () -> 5.0);
    w.scalar("a", 1, 1);
    w.flush();
    assertEquals(2, Event.readAll(w.file()).size(), "flushed events are on disk before close");
    w.close();
    w.close();
    assertThrows(IllegalStateException.class, () -> w.scalar("a", 2, 2));
  }

  @Test
  void convertsMetricsJsonlToTrainAndEvalScalars() throws IOException {
    Path jsonl = tmp.resolve("metrics.jsonl");
    Files.writeString(jsonl, String.join("\n",
        "{\"step\":0,\"eval_loss\":2.5,\"eval_perplexity\":12.18,\"eval_tokens\":4000}",
        "{\"step\":10,\"loss\":2.3,\"lr\":0.001,\"grad_norm\":0.5,\"tokens\":1234,\"tokens_per_s\":800.1,"
            + "\"step_time_s\":0.2,\"server_apply_ms\":1.1,\"workers\":2,\"elapsed_s\":12.3}",
        "",
        "{\"step\":20,\"loss\":2.1,\"lr\":null,\"grad_norm\":null,\"tokens\":1234,\"tokens_per_s\":810,"
            + "\"step_time_s\":0.25,\"server_apply_ms\":1.0,\"workers\":2,\"elapsed_s\":14.8}",
        "{\"event\":\"resumed\",\"from\":10}",
        "[1,2,3]",
        "{\"step\":\"30\",\"loss\":9.9}",
        "{\"step\":20,\"eval_loss\":2.1,\"eval_perplexity\":8.2,\"eval_tokens\":4000}",
        ""));
    Path out = TensorBoardRuns.forJob(tmp.resolve("job"));
    MetricsToTensorBoard.writeFromMetricsJsonl(jsonl, out);
    List<Event> events = Event.readAll(onlyEventFile(out));
    assertEquals("brain.Event:2", events.get(0).fileVersion);
    List<String> got = events.subList(1, events.size()).stream()
        .map(e -> e.values.get(0).tag + "@" + e.step + "=" + e.values.get(0).value).collect(Collectors.toList());
    assertEquals(List.of(
        "eval/loss@0=2.5", "eval/perplexity@0=" + 12.18f,
        "train/loss@10=" + 2.3f, "train/lr@10=" + 0.001f, "train/grad_norm@10=0.5",
        "train/tokens_per_s@10=" + 800.1f, "train/step_time_s@10=" + 0.2f,
        "train/loss@20=" + 2.1f, "train/tokens_per_s@20=810.0", "train/step_time_s@20=0.25",
        "eval/loss@20=" + 2.1f, "eval/perplexity@20=" + 8.2f), got);
  }

  @Test
  void liveLinesAreConverted() throws IOException {
    ObjectMapper json = new ObjectMapper();
    Path file;
    try (MetricsToTensorBoard live = new MetricsToTensorBoard(new TensorBoardWriter(tmp, () -> 9.0))) {
      file = live.file();
      live.write(json.readTree("{\"step\":3,\"loss\":1.25}"));
      live.write(json.readTree("{\"loss\":1.0}")); // no step: another shape
      live.flush();
      assertEquals(2, Event.readAll(file).size());
      live.write(json.readTree("{\"step\":4,\"eval_loss\":1.5}"));
    }
    List<Event> events = Event.readAll(file);
    assertEquals(3, events.size());
    assertEquals("train/loss", events.get(1).values.get(0).tag);
    assertEquals(3, events.get(1).step);
    assertEquals("eval/loss", events.get(2).values.get(0).tag);
    assertEquals(1.5f, events.get(2).values.get(0).value);
  }

  @Test
  void aMalformedLineIsReportedWithItsNumber() throws IOException {
    Path jsonl = tmp.resolve("metrics.jsonl");
    Files.writeString(jsonl, "{\"step\":1,\"loss\":2.0}\n\n{\"step\":2,\"loss\":\n{\"step\":3,\"loss\":1.0}\n");
    Path out = tmp.resolve("tb");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetricsToTensorBoard.writeFromMetricsJsonl(jsonl, out));
    assertTrue(e.getMessage().startsWith("Line 3 of " + jsonl + " "), e.getMessage());
    assertFalse(Files.exists(out), "no event file for a file that does not convert");
    Files.writeString(jsonl, "{\"step\":1,\"loss\":2.0} trailing\n");
    e = assertThrows(IllegalArgumentException.class, () -> MetricsToTensorBoard.writeFromMetricsJsonl(jsonl, out));
    assertTrue(e.getMessage().startsWith("Line 1 of "), e.getMessage());
  }

  @Test
  void runFolders() {
    Path job = Path.of("/runs/job1");
    assertEquals(Path.of("/runs/job1/tensorboard"), TensorBoardRuns.forJob(job));
    assertEquals(Path.of("/sweeps/s/tensorboard/t003"), TensorBoardRuns.forTrial(Path.of("/sweeps/s"), "t003"));
    for (String bad : new String[] {"", ".", "..", "a/b", "a\\b"}) {
      assertThrows(IllegalArgumentException.class, () -> TensorBoardRuns.forTrial(Path.of("/s"), bad), bad);
    }
  }

  private static Path onlyEventFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.collect(Collectors.toList());
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  // ---- the independent reader

  /** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), byte-wise with a 256-entry table. */
  static final class Crc32c {
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

    static int of(byte[] b, int off, int len) {
      int c = 0xFFFFFFFF;
      for (int i = off; i < off + len; i++) {
        c = TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
      }
      return ~c;
    }

    /** TFRecord's mask: rotate right by 15 bits, add 0xa282ead8 (mod 2^32). */
    static int masked(byte[] b, int off, int len) {
      int c = of(b, off, len);
      return Integer.rotateRight(c, 15) + 0xa282ead8;
    }
  }

  /** TFRecord framing: u64 length, u32 masked CRC of the length, data, u32 masked CRC of the data. */
  static final class Records {
    static List<byte[]> parse(byte[] f) {
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
  record Field(int wire, long num, byte[] bytes) {}

  /** A minimal protobuf reader: field number → values in the order they occur. */
  static final class Proto {
    static Map<Integer, List<Field>> parse(byte[] b) {
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
    static Field single(Map<Integer, List<Field>> m, int field, int wire) {
      List<Field> l = m.get(field);
      if (l == null) {
        return null;
      }
      assertEquals(1, l.size(), "field " + field + " occurs once");
      assertEquals(wire, l.get(0).wire(), "wire type of field " + field);
      return l.get(0);
    }
  }

  record Value(String tag, float value) {}

  /** Event {wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary}. */
  static final class Event {
    double wallTime;
    long step;
    String fileVersion;
    final List<Value> values = new ArrayList<>();

    static List<Event> readAll(Path file) {
      try {
        return Records.parse(Files.readAllBytes(file)).stream().map(Event::of).collect(Collectors.toList());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    static Event of(byte[] data) {
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
