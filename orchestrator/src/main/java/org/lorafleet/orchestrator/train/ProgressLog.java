package org.lorafleet.orchestrator.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lorafleet.orchestrator.io.JsonNumbers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.lorafleet.ps.api.StepOutcome;

/**
 * Per-step metrics: one JSON line per step (and per evaluation) in a local metrics.jsonl that the
 * job copies to its output dir, and a progress line with ETA on the console every {@code logEvery}
 * steps (updated in place on a terminal, see {@link StatusLine}). Called from one thread at a time (the parameter server's listener thread and the driver).
 */
final class ProgressLog implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream console;
  private final long totalSteps;
  private final int logEvery;
  private final Path file;
  private final BufferedWriter writer;
  private final long startNanos = System.nanoTime();
  private final long firstStep;
  private final int stepsPerVersion;
  private long lastNanos = startNanos;
  private long tokens;
  private double lastLoss = Double.NaN;

  /**
   * @param firstStep optimizer steps done before this session
   * @param totalSteps optimizer steps at the end of this session
   * @param stepsPerVersion optimizer steps per server version (local-sgd: local_steps, else 1)
   */
  ProgressLog(PrintStream console, long firstStep, long totalSteps, int stepsPerVersion, int logEvery) {
    this.console = console;
    this.stepsPerVersion = stepsPerVersion;
    this.firstStep = firstStep;
    this.totalSteps = totalSteps;
    this.logEvery = Math.max(1, logEvery);
    try {
      this.file = Files.createTempFile("lorafleet-metrics", ".jsonl");
      this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a local metrics file.", e);
    }
  }

  Path file() {
    return file;
  }

  long tokens() {
    return tokens;
  }

  double lastLoss() {
    return lastLoss;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  synchronized void step(StepOutcome o) {
    long now = System.nanoTime();
    double stepSeconds = (now - lastNanos) / 1e9;
    lastNanos = now;
    tokens += o.tokens();
    lastLoss = o.meanLoss();
    long done = o.version() * stepsPerVersion;
    double elapsed = (now - startNanos) / 1e9;
    double tokensPerSecond = tokens / Math.max(elapsed, 1e-9);
    ObjectNode line = JSON.createObjectNode();
    line.put("step", done);
    line.put("loss", o.meanLoss());
    JsonNumbers.put(line, "lr", o.lr());
    JsonNumbers.put(line, "grad_norm", o.gradNormBeforeClip());
    line.put("tokens", o.tokens());
    line.put("tokens_per_s", round(tokensPerSecond));
    line.put("step_time_s", round(stepSeconds));
    line.put("server_apply_ms", round(o.applyMillis()));
    line.put("workers", o.workers());
    line.put("elapsed_s", round(elapsed));
    write(line);
    if (JobConversions.crosses(done - stepsPerVersion, done, logEvery) || done == totalSteps) {
      double perStep = elapsed / Math.max(1, done - firstStep);
      String text = String.format(Locale.ROOT, "step %5d/%d %s %3.0f%%  loss %.4f  lr %s  gnorm %s  %,.0f tok/s  ETA %s",
          done, totalSteps, bar(done), 100.0 * done / totalSteps, o.meanLoss(), fmt(o.lr(), "%.2e"),
          fmt(o.gradNormBeforeClip(), "%.3f"), tokensPerSecond, duration(perStep * (totalSteps - done)));
      if (console instanceof StatusLine.Terminal t) {
        t.status(text); // in place on a terminal
      } else {
        console.println(text);
      }
    }
  }

  synchronized void eval(long step, double loss, double perplexity, long evalTokens) {
    ObjectNode line = JSON.createObjectNode();
    line.put("step", step);
    line.put("eval_loss", loss);
    line.put("eval_perplexity", perplexity);
    line.put("eval_tokens", evalTokens);
    write(line);
    console.printf(Locale.ROOT, "eval  step %5d  loss %.4f  perplexity %.2f  (%,d tokens)%n", step, loss, perplexity,
        evalTokens);
  }

  /**
   * Appends each worker's timeline, one line per sample:
   * {@code {"step":40,"worker":1,"worker_tokens_per_s":812.5,"worker_step_time_s":0.31,"worker_rss_bytes":612345856}}.
   */
  synchronized void workerTimelines(List<WorkerReport> reports) {
    for (WorkerReport r : reports) {
      for (WorkerTimeline.Sample s : r.timeline()) {
        ObjectNode line = JSON.createObjectNode();
        line.put("step", s.step());
        line.put("worker", r.worker());
        line.put("worker_tokens_per_s", round(s.tokensPerSecond()));
        line.put("worker_step_time_s", round(s.stepSeconds()));
        if (s.rssBytes() >= 0) {
          line.put("worker_rss_bytes", s.rssBytes());
        }
        write(line);
      }
    }
  }

  synchronized void flush() {
    try {
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ".", e);
    }
  }

  private void write(ObjectNode line) {
    try {
      writer.write(JSON.writeValueAsString(line));
      writer.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ".", e);
    }
  }

  private String bar(long done) {
    int width = 20;
    int filled = (int) Math.min(width, width * done / Math.max(1, totalSteps));
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private static String fmt(double v, String f) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  @Override
  public synchronized void close() {
    if (console instanceof StatusLine.Terminal t) {
      t.keepStatus(); // the last progress line stays on screen
    }
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ".", e);
    }
  }
}
