package org.lorafleet.orchestrator.cli;

import java.util.concurrent.Callable;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.train.GenerationSettings;
import org.lorafleet.trainer.train.TextGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lorafleet generate}: sample text from a base model, optionally with an adapter, side by side. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate text from a model, with and without an adapter, to see what a fine-tune changed.",
    footer = {"", "Examples:",
        "  lorafleet generate --model examples/models/tiny-llama --adapter out/quickstart/adapter \\",
        "      --prompt $'Package: git\\nSection: vcs\\nDescription:'",
        "  lorafleet generate --model M --prompt 'Hello' --temperature 0.8 --top-p 0.9 --seed 1"})
final class GenerateCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (or URI).")
  String model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder; both outputs are shown.")
  String adapter;

  @Option(names = "--prompt", required = true, description = "Prompt text.")
  String prompt;

  @Option(names = "--max-new-tokens", defaultValue = "48", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default); > 0 samples.")
  double temperature;

  @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
  double topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    java.nio.file.Path dir = LocalModelDir.of(model);
    try (HfCheckpoint ck = HfCheckpoint.open(dir); HfTokenizer tok = HfTokenizer.load(ck.tokenizerPath())) {
      long eos = ck.config().path("eos_token_id").isIntegralNumber() ? ck.config().get("eos_token_id").asLong() : -1;
      GenerationSettings s = new GenerationSettings(maxNewTokens, temperature, topP, seed, eos);
      long[] ids = tok.encode(prompt);
      CausalLm base = BaseModels.replica(model);
      out.println("=== base model");
      out.println(prompt + tok.decode(TextGenerator.generate(base, ids, s)));
      if (adapter != null) {
        CausalLm adapted = BaseModels.replica(model);
        PeftAdapterFolder.load(LocalModelDir.of(adapter), adapted).attachTo(adapted);
        out.println("=== with adapter " + adapter);
        out.println(prompt + tok.decode(TextGenerator.generate(adapted, ids, s)));
      }
    }
    out.flush();
    return 0;
  }
}
