package org.lorafleet.orchestrator.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.lorafleet.orchestrator.io.HadoopDir;
import org.lorafleet.orchestrator.io.JsonNumbers;
import org.lorafleet.orchestrator.config.ConfigWriter;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.data.DataStats;
import org.lorafleet.orchestrator.io.LocalFiles;
import org.lorafleet.orchestrator.metrics.MetricsToTensorBoard;
import org.lorafleet.orchestrator.report.RunReport;
import org.lorafleet.orchestrator.model.HubModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.AdapterMerge;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;

/**
 * What a job leaves in {@code output.dir}: config.yaml (resolved, secret redacted), adapter/ (PEFT),
 * merged/ (optional full Hugging Face checkpoint), metrics.jsonl, tensorboard/ (the same scalars as
 * TensorBoard events), summary.json and report.html.
 */
final class JobOutputs {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HadoopDir fs;
  private JobConfig cfg;
  private HubModels.Resolved model;
  private long resumedStep = -1;
  private org.lorafleet.orchestrator.quality.CurationReport curation;

  JobOutputs(HadoopDir fs, JobConfig cfg) {
    this.fs = fs;
    this.cfg = cfg;
  }

  String location() {
    return fs.location(null);
  }

  /** The model the run reads from here on (a Hub id resolved to a folder); adapters name the Hub id as their base. */
  void model(HubModels.Resolved resolved) {
    model = resolved;
    cfg = resolved.config();
  }

  /** {@code base_model_name_or_path} of the adapters this run writes. */
  String baseModelName() {
    return model != null ? model.baseModelName() : cfg.model().path();
  }

  void writeResolvedConfig() {
    fs.writeText("config.yaml", "# The resolved configuration of this run (defaults and --set overrides applied).\n"
        + ConfigWriter.toRedactedYaml(cfg));
  }

  String writeAdapter(LoraAdapter adapter, CausalLm model) {
    Path tmp = LocalFiles.tempDir("lorafleet-adapter");
    try {
      PeftAdapterFolder.save(adapter, model, tmp, baseModelName());
      fs.copyFolder(tmp, "adapter");
      return fs.location("adapter");
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
  }

  String writeMerged(LoraAdapter adapter, CausalLm model) {
    Path tmp = LocalFiles.tempDir("lorafleet-merged");
    try (HfCheckpoint base = HfCheckpoint.open(LocalModelDir.of(cfg.model().path()))) {
      AdapterMerge.writeMerged(base, adapter, model.config().architecture() == Architecture.GPT2, tmp);
      fs.copyFolder(tmp, "merged");
      return fs.location("merged");
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
  }

  /** Records that this run resumed from a checkpoint of step {@code step}. */
  void resumedFrom(long step) {
    resumedStep = step;
  }

  /**
   * Writes this run's metrics.jsonl and, from it, the TensorBoard events in {@code tensorboard/}. A
   * resumed run keeps the earlier runs' lines up to and including the step it resumed from (steps
   * after it were redone by this run), so both hold the whole history. Idempotent within a run: the
   * event folder is rewritten whole each time.
   */
  void copyMetrics(Path local) {
    String earlier = resumedStep < 0 ? null : fs.readText("metrics.jsonl");
    Path tmp = LocalFiles.tempDir("lorafleet-metrics");
    try {
      Path metrics = local;
      if (earlier != null) {
        metrics = tmp.resolve("metrics.jsonl");
        java.nio.file.Files.writeString(metrics, keptLines(earlier) + java.nio.file.Files.readString(local));
      }
      fs.copyFile(metrics, "metrics.jsonl");
      Path events = tmp.resolve("tensorboard");
      MetricsToTensorBoard.writeFromMetricsJsonl(metrics, events);
      fs.copyFolder(events, "tensorboard");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot merge metrics.jsonl of the earlier run in " + location() + ".", e);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
  }

  /** The lines of an earlier run's metrics.jsonl up to and including the step this run resumed from. */
  private String keptLines(String earlier) {
    StringBuilder kept = new StringBuilder();
    for (String line : earlier.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException torn) {
        continue; // a line cut short when the earlier run died: nothing to keep
      }
      if (n.path("step").asLong(Long.MAX_VALUE) <= resumedStep) {
        kept.append(line).append('\n');
      }
    }
    return kept.toString();
  }

  /** Where the removed rows of {@code data.quality.keep_removed} go. */
  String removedRowsLocation() {
    return fs.location("data-quality-removed");
  }

  /** Writes {@code data-quality.json} and {@code data-quality.html}; the summary embeds the JSON. */
  void writeCurationReport(org.lorafleet.orchestrator.quality.CurationReport report) {
    curation = report;
    fs.writeText("data-quality.json", report.json());
    fs.writeText("data-quality.html", report.html("Data quality: " + cfg.name()));
  }

  /** Writes summary.json and, from it and metrics.jsonl, report.html. */
  void writeSummaryAndReport(TrainJob.Result r, DataStats stats, List<SampleGenerations.Sample> samples) {
    ObjectNode summary = summary(r, stats);
    ArrayNode shown = summary.putArray("samples");
    samples.forEach(x -> shown.addObject().put("prompt", x.prompt()).put("base", x.base()).put("adapted", x.adapted()));
    try {
      fs.writeText("summary.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode summary.json.", e);
    }
    fs.writeText("report.html", RunReport.html(summary, fs.readText("metrics.jsonl")));
  }

  private ObjectNode summary(TrainJob.Result r, DataStats stats) {
    ObjectNode s = JSON.createObjectNode();
    s.put("name", cfg.name());
    s.put("output_dir", r.outputDir());
    s.put("adapter_dir", r.adapterDir());
    s.put("merged_dir", r.mergedDir());
    s.put("steps", r.steps());
    s.put("planned_steps", r.plannedSteps());
    s.put("tokens", r.tokens());
    s.put("tokens_per_s", r.tokensPerSecond());
    s.put("wall_time_s", r.wallSeconds());
    JsonNumbers.put(s, "initial_eval_loss", r.initialEvalLoss());
    JsonNumbers.put(s, "final_eval_loss", r.finalEvalLoss());
    s.put("resumed_from", r.resumedFrom());
    ObjectNode data = s.putObject("data");
    data.put("rows", stats.rows());
    data.put("bad_rows", stats.badRows());
    data.put("dropped_rows", stats.droppedRows());
    data.put("truncated_rows", stats.truncatedRows());
    data.put("tokens", stats.tokens());
    data.put("trainable_tokens", stats.trainableTokens());
    data.put("train_sequences", stats.trainSequences());
    data.put("eval_sequences", stats.evalSequences());
    ArrayNode examples = data.putArray("bad_row_examples");
    stats.badRowExamples().forEach(examples::add);
    if (model != null && model.snapshot() != null) {
      ObjectNode m = s.putObject("model");
      m.put("hub_id", model.hubId());
      m.put("repo", model.snapshot().repo());
      m.put("revision", model.snapshot().revision());
      m.put("commit", model.snapshot().commit());
      m.put("read_from", cfg.model().path());
    }
    if (curation != null) {
      s.set("data_quality", curation.toJson());
    }
    ArrayNode workers = s.putArray("workers");
    r.workers().forEach(w -> workers.addObject().put("worker", w.worker()).put("attempt", w.attempt())
        .put("host", w.host()).put("pid", w.pid()).put("threads", w.threads())
        .put("steps_computed", w.stepsComputed()).put("tokens", w.tokens()).put("compute_s", w.computeSeconds())
        .put("wait_s", w.waitSeconds()).put("refused_stale", w.refusedStale())
        .put("peak_rss_bytes", w.peakRssBytes()));
    ObjectNode v = s.putObject("versions");
    Versions.all().forEach(v::put);
    s.put("config", ConfigWriter.toRedactedYaml(cfg));
    return s;
  }


}
