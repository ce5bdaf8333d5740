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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader.Crc32c;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader.Event;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader.Records;

/** TensorBoard event files, read back by the tests' own {@link TensorBoardEventReader}. */
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
      assertEquals(tags[i], e.values.get(0).tag());
      assertEquals(steps[i], e.step);
      assertEquals(values[i], e.values.get(0).value(), "bit-exact float for " + tags[i]);
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
  void convertsMetricsJsonlToTrainEvalAndWorkerScalars() throws IOException {
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
        "{\"step\":20,\"worker\":1,\"worker_tokens_per_s\":410.5,\"worker_step_time_s\":0.4,"
            + "\"worker_rss_bytes\":629145600}",
        "{\"step\":20,\"worker\":0,\"worker_tokens_per_s\":400,\"worker_step_time_s\":0.5}",
        ""));
    Path out = tmp.resolve("job/tensorboard");
    MetricsToTensorBoard.writeFromMetricsJsonl(jsonl, out);
    List<Event> events = Event.readAll(onlyEventFile(out));
    assertEquals("brain.Event:2", events.get(0).fileVersion);
    List<String> got = events.subList(1, events.size()).stream()
        .map(e -> e.values.get(0).tag() + "@" + e.step + "=" + e.values.get(0).value()).collect(Collectors.toList());
    assertEquals(List.of(
        "eval/loss@0=2.5", "eval/perplexity@0=" + 12.18f,
        "train/loss@10=" + 2.3f, "train/lr@10=" + 0.001f, "train/grad_norm@10=0.5",
        "train/tokens_per_s@10=" + 800.1f, "train/step_time_s@10=" + 0.2f,
        "train/loss@20=" + 2.1f, "train/tokens_per_s@20=810.0", "train/step_time_s@20=0.25",
        "eval/loss@20=" + 2.1f, "eval/perplexity@20=" + 8.2f,
        "worker-1/tokens_per_s@20=410.5", "worker-1/step_time_s@20=" + 0.4f, "worker-1/rss_mib@20=600.0",
        "worker-0/tokens_per_s@20=400.0", "worker-0/step_time_s@20=0.5"), got);
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
    assertEquals("train/loss", events.get(1).values.get(0).tag());
    assertEquals(3, events.get(1).step);
    assertEquals("eval/loss", events.get(2).values.get(0).tag());
    assertEquals(1.5f, events.get(2).values.get(0).value());
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

  private static Path onlyEventFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.collect(Collectors.toList());
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }
}
