package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lorafleet.orchestrator.checkpoint.CheckpointState;
import org.lorafleet.orchestrator.checkpoint.CheckpointStore;
import org.lorafleet.orchestrator.config.ConfigWriter;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.io.LocalFiles;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;

/**
 * Turns parameter-server snapshots into checkpoints (adapter in PEFT format, optimizer state,
 * state.json with config and versions) and refreshes metrics.jsonl in the output dir alongside, so
 * a dead driver loses at most the work since the last checkpoint. Called from one thread.
 */
final class JobCheckpointer {

  private final JobConfig cfg;
  private final CheckpointStore store;
  private final CausalLm model;
  private final LoraSettings lora;
  private final ProgressLog progress;
  private final JobOutputs outputs;
  private final PrintStream out;
  private final RunLineage lineage;
  private long lastWritten = -1;

  JobCheckpointer(JobConfig cfg, RunLineage lineage, CheckpointStore store, CausalLm model, LoraSettings lora,
      ProgressLog progress, JobOutputs outputs, PrintStream out) {
    this.cfg = cfg;
    this.lineage = lineage;
    this.store = store;
    this.model = model;
    this.lora = lora;
    this.progress = progress;
    this.outputs = outputs;
    this.out = out;
  }

  /** Writes the snapshot unless that version is already written. Blocks on file-system I/O. */
  void write(ServerSnapshot snap) {
    if (snap.version() == lastWritten) {
      return;
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("lorafleet-adapter");
      LoraAdapter a = LoraAdapter.fromTensors(model, lora, snap.weights(), "the parameter server snapshot");
      PeftAdapterFolder.save(a, model, tmp, outputs.baseModelName());
      long step = snap.version() * JobConversions.stepsPerVersion(cfg.distributed()); // named in optimizer steps
      CheckpointState state = new CheckpointState(step, cfg.seed(), lineage.fingerprint(),
          progress.lastLoss(), Versions.all(), ConfigWriter.toRedactedYaml(cfg), lineage.runId(),
          lineage.tokensBefore() + progress.tokens());
      String where = store.write(tmp, snap.optimizer(), state);
      lastWritten = snap.version();
      progress.flush();
      outputs.copyMetrics(progress.file());
      out.println("checkpoint step " + step + " → " + where);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stage checkpoint files locally.", e);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
  }
}
