package org.lorafleet.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.lorafleet.orchestrator.checkpoint.CheckpointStore;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.HfModelConfig;
import org.lorafleet.trainer.model.HfModelConfigReader;
import org.lorafleet.trainer.model.LayerType;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lorafleet inspect PATH}: what a folder holds: a run output (summary.json), a checkpoint
 * directory or step folder, a PEFT adapter, a Hugging Face model, or a .safetensors file.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Summarise a run output, sweep folder, checkpoint, adapter, model folder or .safetensors file.",
    footer = {"", "Examples:", "  lorafleet inspect out/quickstart", "  lorafleet inspect out/sweeps/lr-rank", "  lorafleet inspect out/quickstart/checkpoints",
        "  lorafleet inspect out/quickstart/adapter", "  lorafleet inspect examples/models/tiny-llama"})
final class InspectCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "PATH", description = "A local folder or file.")
  Path path;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(path + " does not exist.");
    }
    if (Files.isRegularFile(path) && path.toString().endsWith(".safetensors")) {
      tensors(out, path);
    } else if (Files.exists(path.resolve("summary.json"))) {
      run(out);
    } else if (Files.exists(path.resolve("leaderboard.json"))) {
      sweep(out);
    } else if (Files.exists(path.resolve("MANIFEST.json")) || Files.exists(path.resolve("state.json"))) {
      step(out, path);
    } else if (hasStepFolders()) {
      checkpoints(out);
    } else if (Files.exists(path.resolve(PeftAdapterFolder.CONFIG))) {
      adapter(out, path);
    } else if (Files.exists(path.resolve("config.json"))) {
      model(out);
    } else {
      throw new IllegalArgumentException(path + " is none of: run output (summary.json), sweep (leaderboard.json), "
          + "checkpoint, PEFT adapter "
          + "(adapter_config.json), Hugging Face model (config.json), .safetensors file.");
    }
    out.flush();
    return 0;
  }

  private void sweep(PrintWriter out) throws IOException {
    JsonNode b = JSON.readTree(path.resolve("leaderboard.json").toFile());
    String metric = b.path("metric").asText();
    out.printf("Sweep '%s': %d trials, ranked by %s (%s)%n", b.path("sweep").asText(), b.path("trials").size(), metric,
        b.path("goal").asText());
    for (JsonNode t : b.path("trials")) {
      out.printf("  %2d  %-10s %-9s %s %-10s steps %d/%d  %s%s%n", t.path("rank").asInt(), t.path("trial").asText(),
          t.path("status").asText(), metric, t.path("metric").isNumber()
              ? String.format(java.util.Locale.ROOT, "%.4f", t.path("metric").asDouble()) : "-",
          t.path("steps").asLong(), t.path("planned_steps").asLong(), params(t.path("params")),
          t.path("error").isTextual() ? "  error: " + t.path("error").asText() : "");
    }
    out.println("  report: " + path.resolve("report.html"));
  }

  private static String params(JsonNode p) {
    List<String> kv = new java.util.ArrayList<>();
    p.fields().forEachRemaining(e -> kv.add(e.getKey() + "=" + e.getValue().asText()));
    return String.join(" ", kv);
  }

  private boolean hasStepFolders() throws IOException {
    try (var s = Files.list(path)) {
      return s.anyMatch(p -> p.getFileName().toString().matches("step-\\d+"));
    }
  }

  private void run(PrintWriter out) throws IOException {
    JsonNode s = JSON.readTree(path.resolve("summary.json").toFile());
    out.printf("Run '%s': %s%n", s.path("name").asText(), org.lorafleet.orchestrator.report.RunReport.totals(s));
    JsonNode d = s.path("data");
    out.printf("  data: %,d rows (%,d bad), %,d train / %,d eval sequences%n", d.path("rows").asLong(),
        d.path("bad_rows").asLong(), d.path("train_sequences").asLong(), d.path("eval_sequences").asLong());
    for (JsonNode w : s.path("workers")) {
      long rss = w.path("peak_rss_bytes").asLong(-1);
      double compute = w.path("compute_s").asDouble();
      out.printf(java.util.Locale.ROOT, "  worker %d on %s: %d steps, %,.0f tokens/s computing, %.0f s waiting%s%n",
          w.path("worker").asInt(), w.path("host").asText(), w.path("steps_computed").asLong(),
          compute > 0 ? w.path("tokens").asLong() / compute : 0.0, w.path("wait_s").asDouble(),
          rss < 0 ? "" : ", peak RSS " + human(rss));
    }
    for (JsonNode x : s.path("samples")) {
      out.println("  sample prompt: " + oneLine(x.path("prompt").asText()));
      out.println("    base:    " + oneLine(x.path("base").asText()));
      out.println("    adapted: " + oneLine(x.path("adapted").asText()));
    }
    out.println("  adapter: " + s.path("adapter_dir").asText());
    out.println("  versions: " + s.path("versions"));
    for (String f : new String[] {"report.html", "tensorboard"}) {
      if (Files.exists(path.resolve(f))) {
        out.println("  " + f + ": " + path.resolve(f));
      }
    }
    Path metrics = path.resolve("metrics.jsonl");
    if (Files.exists(metrics)) {
      List<String> lines = Files.readAllLines(metrics);
      out.println("  metrics.jsonl: " + lines.size() + " lines; last: " + (lines.isEmpty() ? "-" : lines.get(lines.size() - 1)));
    }
    if (Files.isDirectory(path.resolve("adapter"))) {
      adapter(out, path.resolve("adapter"));
    }
  }

  private void checkpoints(PrintWriter out) {
    CheckpointStore store = new CheckpointStore(path.toAbsolutePath().toUri().toString(), Integer.MAX_VALUE,
        new Configuration());
    out.println("Checkpoints in " + store.location() + ":");
    for (var folder : store.stepFolders()) {
      out.print("  " + folder.getName() + "  ");
      try {
        var c = store.load(folder);
        out.printf("valid, step %d, last loss %.4f%n", c.state().step(), c.state().lastLoss());
      } catch (RuntimeException e) {
        out.println("INVALID: " + e.getMessage());
      }
    }
  }

  private void step(PrintWriter out, Path folder) throws IOException {
    JsonNode st = JSON.readTree(folder.resolve("state.json").toFile());
    out.printf("Checkpoint %s: step %d, seed %d, last loss %s%n", folder, st.path("step").asLong(),
        st.path("seed").asLong(), st.path("last_loss").asText("-"));
    out.println("  fingerprint: " + st.path("fingerprint"));
    out.println("  versions: " + st.path("versions"));
    adapter(out, folder);
  }

  private void adapter(PrintWriter out, Path dir) {
    LoraSettings s = PeftAdapterFolder.readSettings(dir);
    out.printf("PEFT adapter %s: r=%d, alpha=%s, scaling %.4g, dropout %s, targets %s%n", dir, s.r(), s.alpha(),
        s.scaling(), s.dropout(), s.targetRegex() != null ? s.targetRegex() : s.targetModules());
    tensors(out, dir.resolve(PeftAdapterFolder.WEIGHTS));
  }

  /** How the trainer reads the model: family, shape, RoPE variant per layer type, size; or why it is refused. */
  private void family(PrintWriter out, JsonNode c) {
    HfModelConfig m;
    try {
      m = HfModelConfigReader.read(c, path.resolve("config.json").toString());
    } catch (IllegalArgumentException e) {
      out.println("  not loadable by LoRA Fleet: " + e.getMessage());
      return;
    }
    out.printf(Locale.ROOT, "  family %s (%s): %d layers, hidden %d, %d heads of %d (%d key/value), MLP %d, vocab %d%s%n",
        m.architecture().name().toLowerCase(Locale.ROOT), m.modelType(), m.layers(), m.hidden(), m.heads(),
        m.headDim(), m.kvHeads(), m.intermediate(), m.vocabSize(), m.tieWordEmbeddings() ? ", tied head" : "");
    if (m.decoder() != null) {
      var d = m.decoder();
      long sliding = d.layerTypes().stream().filter(t -> t == LayerType.SLIDING).count();
      if (sliding > 0) {
        out.printf(Locale.ROOT, "  attention: %d sliding-window layers (window %d), %d full%n", sliding,
            d.slidingWindow(), d.layerTypes().size() - sliding);
      }
      d.rope().forEach((type, rope) -> out.println("  rope " + (d.rope().size() > 1 ? type.configName() + ": " : "")
          + rope.describe()));
    }
    long params = 0;
    long bytes = 0;
    try (HfCheckpoint ck = HfCheckpoint.open(path)) {
      for (String name : ck.tensorNames()) {
        long n = java.util.Arrays.stream(ck.shape(name)).reduce(1, (a, b) -> a * b);
        params += n;
        bytes += n * ck.dtype(name).byteSize();
      }
    } catch (RuntimeException e) {
      out.println("  weights: " + e.getMessage());
      return;
    }
    out.printf(Locale.ROOT, "  size: %,d parameters (%s in the files)%n", params, human(bytes));
  }

  private static String oneLine(String text) {
    String t = text.replace("\n", "\\n");
    return t.length() > 160 ? t.substring(0, 157) + "..." : t;
  }

  private static String human(long bytes) {
    return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
  }

  private void model(PrintWriter out) throws IOException {
    JsonNode c = JSON.readTree(path.resolve("config.json").toFile());
    out.printf("Hugging Face model %s: model_type %s, vocab %s%n", path, c.path("model_type").asText("?"),
        c.path("vocab_size").asText("?"));
    family(out, c);
    out.println("  tokenizer.json: " + (Files.exists(path.resolve("tokenizer.json")) ? "present" : "MISSING"));
    try (var s = Files.list(path)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
        tensors(out, f);
      }
    }
  }

  private static void tensors(PrintWriter out, Path file) {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      long params = 0;
      for (String n : f.names()) {
        long[] shape = f.shape(n);
        long k = 1;
        for (long d : shape) {
          k *= d;
        }
        params += k;
      }
      out.printf("  %s: %d tensors, %,d parameters%n", file.getFileName(), f.names().size(), params);
      int shown = 0;
      for (String n : f.names()) {
        if (shown++ == 12) {
          out.printf("    … %d more%n", f.names().size() - 12);
          break;
        }
        out.printf("    %-72s %-5s %s%n", n, f.dtype(n), java.util.Arrays.toString(f.shape(n)));
      }
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
