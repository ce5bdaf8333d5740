package org.lorafleet.orchestrator.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.jsonl lines as TensorBoard scalars. A train step line such as
 * {@code {"step":10,"loss":2.3,"lr":0.001,"grad_norm":0.5,"tokens_per_s":800.1,"step_time_s":0.2,...}}
 * gives {@code train/loss}, {@code train/lr}, {@code train/grad_norm}, {@code train/tokens_per_s} and
 * {@code train/step_time_s}; an evaluation line {@code {"step":10,"eval_loss":2.1,"eval_perplexity":8.2,...}}
 * gives {@code eval/loss} and {@code eval/perplexity}; a worker's timeline line
 * {@code {"step":10,"worker":1,"worker_tokens_per_s":410.2,"worker_step_time_s":0.4,"worker_rss_bytes":6.1e8}}
 * gives {@code worker-1/tokens_per_s}, {@code worker-1/step_time_s} and {@code worker-1/rss_mib}; all at
 * the line's step. Other keys are not
 * converted; a key whose value is not a number (metrics.jsonl writes NaN as null) is skipped, and a
 * line that is not an object with an integral {@code step} is ignored.
 *
 * <p>Use {@link #writeFromMetricsJsonl} for a finished file, or an instance fed by {@link #write} for
 * lines as they are produced. An instance owns its writer and is as thread-safe as the writer.
 */
public final class MetricsToTensorBoard implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** metrics.jsonl key → TensorBoard tag, in the order the scalars of one line are written. */
  private static final String[][] TAGS = {
      {"loss", "train/loss"}, {"lr", "train/lr"}, {"grad_norm", "train/grad_norm"},
      {"tokens_per_s", "train/tokens_per_s"}, {"step_time_s", "train/step_time_s"},
      {"eval_loss", "eval/loss"}, {"eval_perplexity", "eval/perplexity"}};

  private final TensorBoardWriter out;

  /** Converts into {@code out}, which {@link #close} closes. */
  public MetricsToTensorBoard(TensorBoardWriter out) {
    this.out = out;
  }

  /** Converts into a new event file in {@code tensorboardDir} (created if needed). */
  public static MetricsToTensorBoard create(Path tensorboardDir) {
    return new MetricsToTensorBoard(TensorBoardWriter.create(tensorboardDir));
  }

  /**
   * Writes the scalars of every line of {@code metricsJsonl} into a new event file in
   * {@code tensorboardDir}. Blank lines are skipped. The whole file is read first, so a bad line leaves
   * no event file behind.
   *
   * @throws IllegalArgumentException for a line that is not JSON, naming the file and line number
   * @throws UncheckedIOException when the file cannot be read or the event file cannot be written
   */
  public static void writeFromMetricsJsonl(Path metricsJsonl, Path tensorboardDir) {
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(metricsJsonl, StandardCharsets.UTF_8)) {
      String line;
      for (long number = 1; (line = in.readLine()) != null; number++) {
        if (line.isBlank()) {
          continue;
        }
        try {
          lines.add(JSON.readTree(line));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("Line " + number + " of " + metricsJsonl
              + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the metrics file " + metricsJsonl + ".", e);
    }
    try (MetricsToTensorBoard conv = create(tensorboardDir)) {
      lines.forEach(conv::write);
    }
  }

  /** Writes the scalars of one metrics.jsonl line; a line of another shape writes nothing. */
  public void write(JsonNode line) {
    JsonNode step = line == null ? null : line.get("step");
    if (step == null || !step.isIntegralNumber() || !step.canConvertToLong()) {
      return;
    }
    JsonNode worker = line.get("worker");
    if (worker != null && worker.isIntegralNumber()) {
      String prefix = "worker-" + worker.asLong() + "/";
      scalar(line, "worker_tokens_per_s", prefix + "tokens_per_s", step.asLong(), 1);
      scalar(line, "worker_step_time_s", prefix + "step_time_s", step.asLong(), 1);
      scalar(line, "worker_rss_bytes", prefix + "rss_mib", step.asLong(), 1.0 / (1 << 20));
      return;
    }
    for (String[] keyAndTag : TAGS) {
      scalar(line, keyAndTag[0], keyAndTag[1], step.asLong(), 1);
    }
  }

  private void scalar(JsonNode line, String key, String tag, long step, double scale) {
    JsonNode v = line.get(key);
    if (v != null && v.isNumber()) {
      out.scalar(tag, step, v.asDouble() * scale);
    }
  }

  /** Writes the buffered events to the event file. */
  public void flush() {
    out.flush();
  }

  /** The event file written to. */
  public Path file() {
    return out.file();
  }

  @Override
  public void close() {
    out.close();
  }
}
