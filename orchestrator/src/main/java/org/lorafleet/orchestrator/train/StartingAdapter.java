package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import org.lorafleet.orchestrator.checkpoint.Checkpoint;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;

/** The adapter training starts from: a checkpoint's, a given PEFT folder (model.adapter), or a fresh seeded one. */
final class StartingAdapter {

  private StartingAdapter() {}

  static LoraAdapter of(JobConfig cfg, CausalLm model, Checkpoint resume, PrintStream out) {
    if (resume != null) {
      LoraSettings settings = resume.adapterSettings();
      return LoraAdapter.fromTensors(model, settings, resume.adapter(), resume.location());
    }
    if (cfg.model().adapter() != null) {
      LoraAdapter a = PeftAdapterFolder.load(LocalModelDir.of(cfg.model().adapter()), model);
      out.println("Starting from adapter " + cfg.model().adapter() + " (its adapter_config.json sets the LoRA shape).");
      return a;
    }
    return LoraAdapter.initialise(model, JobConversions.lora(cfg.lora()), cfg.seed());
  }
}
