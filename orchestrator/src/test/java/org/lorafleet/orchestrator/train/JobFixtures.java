package org.lorafleet.orchestrator.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * Small real jobs for the orchestrator's tests: the repository's example model and the first rows
 * of its example data, with a config built from YAML text plus overrides.
 */
final class JobFixtures {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path MODEL = REPO.resolve("examples/models/tiny-llama");
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobFixtures() {}

  /** The first {@code rows} rows of the example train file, copied to {@code dir}. */
  static Path trainData(Path dir, int rows) {
    try {
      List<String> lines = Files.readAllLines(REPO.resolve("examples/data/debian-descriptions/train.jsonl"));
      Path f = dir.resolve("train.jsonl");
      Files.write(f, lines.subList(0, rows));
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JobConfig config(String name, Path data, String outputDir, String... overrides) {
    String yaml = String.join("\n",
        "name: " + name,
        "seed: 7",
        "model: {path: " + MODEL + "}",
        "lora: {r: 4, alpha: 8, target_modules: [q_proj, v_proj, down_proj]}",
        "data: {train: " + data + ", eval_fraction: 0.1, format: completion, max_seq_len: 64}",
        "train: {max_steps: 6, micro_batch_size: 2, lr: 5.0e-3, schedule: cosine, warmup_steps: 2, eval_every: 3,"
            + " eval_max_sequences: 4, max_grad_norm: 1.0}",
        "distributed: {workers: 2, mode: sync, step_timeout: 60s}",
        "checkpoint: {every_steps: 2, keep_last: 5}",
        "output: {dir: '" + outputDir + "'}",
        "");
    return ConfigLoader.parse(yaml, name + ".yaml", List.of(overrides));
  }

  /** Runs a job, returning its result and console output. */
  static Run run(JobConfig cfg, SparkSession spark, String resumeFrom, String failAt) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    try {
      TrainJob.Result r = TrainJob.run(cfg, spark, new TrainJob.Options(resumeFrom, false, failAt, out));
      return new Run(r, buf.toString(StandardCharsets.UTF_8), null);
    } catch (RuntimeException e) {
      return new Run(null, buf.toString(StandardCharsets.UTF_8), e);
    }
  }

  record Run(TrainJob.Result result, String console, RuntimeException failure) {
    Run ok() {
      if (failure != null) {
        throw new AssertionError("The job failed: " + failure + "\n" + console, failure);
      }
      return this;
    }
  }

  /** Training loss per step from a local metrics.jsonl (step → loss). */
  static Map<Long, Double> losses(Path metrics) {
    Map<Long, Double> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(metrics)) {
        JsonNode n = JSON.readTree(line);
        if (n.has("loss")) {
          out.put(n.get("step").asLong(), n.get("loss").asDouble());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Map<String, FloatTensor> adapter(Path adapterDir) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(adapterDir.resolve("adapter_model.safetensors"))) {
      for (String n : f.names()) {
        out.put(n, f.readFloat(n));
      }
    }
    return out;
  }

  /** Largest per-tensor ‖a − b‖ / ‖b‖. */
  static double maxRelativeDifference(Map<String, FloatTensor> a, Map<String, FloatTensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new AssertionError("Different tensors: " + a.keySet() + " vs " + b.keySet());
    }
    double worst = 0;
    for (String k : b.keySet()) {
      float[] x = a.get(k).data();
      float[] y = b.get(k).data();
      double num = 0;
      double den = 0;
      for (int i = 0; i < y.length; i++) {
        num += (x[i] - y[i]) * (double) (x[i] - y[i]);
        den += y[i] * (double) y[i];
      }
      worst = Math.max(worst, Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30));
    }
    return worst;
  }

  static List<Long> duplicates(List<Long> steps) {
    List<Long> seen = new ArrayList<>();
    List<Long> dup = new ArrayList<>();
    for (Long s : steps) {
      if (seen.contains(s)) {
        dup.add(s);
      }
      seen.add(s);
    }
    return dup;
  }

  static SparkSession spark(String master) {
    return SparkSession.builder().master(master).appName("lorafleet-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
  }
}
