package org.lorafleet.orchestrator.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.lorafleet.orchestrator.config.ConfigWriter;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.data.DataStats;
import org.lorafleet.orchestrator.io.LocalFiles;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.AdapterMerge;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;

/**
 * What a job leaves in {@code output.dir}: config.yaml (resolved, secret redacted), adapter/ (PEFT),
 * merged/ (optional full Hugging Face checkpoint), metrics.jsonl and summary.json.
 */
final class JobOutputs {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final OutputFs fs;
  private final JobConfig cfg;

  JobOutputs(OutputFs fs, JobConfig cfg) {
    this.fs = fs;
    this.cfg = cfg;
  }

  String location() {
    return fs.location(null);
  }

  void writeResolvedConfig() {
    fs.writeText("config.yaml", "# The resolved configuration of this run (defaults and --set overrides applied).\n"
        + ConfigWriter.toRedactedYaml(cfg));
  }

  String writeAdapter(LoraAdapter adapter, CausalLm model) {
    Path tmp = LocalFiles.tempDir("lorafleet-adapter");
    try {
      PeftAdapterFolder.save(adapter, model, tmp, cfg.model().path());
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

  void copyMetrics(Path local) {
    fs.copyFile(local, "metrics.jsonl");
  }

  void writeSummary(TrainJob.Result r, DataStats stats) {
    ObjectNode s = JSON.createObjectNode();
    s.put("name", cfg.name());
    s.put("output_dir", r.outputDir());
    s.put("adapter_dir", r.adapterDir());
    s.put("merged_dir", r.mergedDir());
    s.put("steps", r.steps());
    s.put("tokens", r.tokens());
    s.put("tokens_per_s", r.tokensPerSecond());
    s.put("wall_time_s", r.wallSeconds());
    ProgressLog.putNumber(s, "initial_eval_loss", r.initialEvalLoss());
    ProgressLog.putNumber(s, "final_eval_loss", r.finalEvalLoss());
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
    ArrayNode workers = s.putArray("workers");
    r.workers().forEach(w -> workers.addObject().put("worker", w.worker()).put("attempt", w.attempt())
        .put("steps_computed", w.stepsComputed()).put("tokens", w.tokens()).put("compute_s", w.computeSeconds())
        .put("wait_s", w.waitSeconds()).put("refused_stale", w.refusedStale()));
    ObjectNode v = s.putObject("versions");
    Versions.all().forEach(v::put);
    s.put("config", ConfigWriter.toRedactedYaml(cfg));
    try {
      fs.writeText("summary.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode summary.json.", e);
    }
  }


}
