package org.lorafleet.orchestrator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.AdapterMerge;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lorafleet merge}: fold an adapter into its base and save a full Hugging Face checkpoint. */
@Command(name = "merge", mixinStandardHelpOptions = true,
    description = "Merge a LoRA adapter into the base weights and write a Hugging Face checkpoint folder.",
    footer = {"", "Example:",
        "  lorafleet merge --model examples/models/tiny-llama --adapter out/quickstart/adapter --out out/merged"})
final class MergeCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base model folder (or URI), or a Hub id.")
  String model;

  @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter folder.")
  String adapter;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Local folder to write.")
  Path outDir;

  @Override
  public Integer call() {
    model = org.lorafleet.orchestrator.model.HubModels.folder(model, System.err); // a Hub id: its cached snapshot
    CausalLm base = BaseModels.replica(model);
    LoraAdapter a = PeftAdapterFolder.load(LocalModelDir.of(adapter), base);
    try (HfCheckpoint ck = HfCheckpoint.open(LocalModelDir.of(model))) {
      AdapterMerge.writeMerged(ck, a, base.config().architecture() == Architecture.GPT2, outDir);
    }
    spec.commandLine().getOut().println("Merged model written to " + outDir.toAbsolutePath() + " ("
        + a.modules().size() + " adapted layers).");
    return 0;
  }
}
