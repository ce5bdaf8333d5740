package org.lorafleet.orchestrator.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.orchestrator.train.SampleGenerations;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.tokenizer.ChatTemplate;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.tokenizer.SpecialTokens;
import org.lorafleet.trainer.train.GenerationSettings;
import org.lorafleet.trainer.train.TextGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

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

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (or Hadoop URI), or a Hub id such as "
      + "Qwen/Qwen2.5-0.5B.")
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

  @Option(names = "--chat", description = "Treat the prompt as a user message in the model's chat template.")
  boolean chat;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    model = org.lorafleet.orchestrator.model.HubModels.folder(model, System.err); // a Hub id: its cached snapshot
    java.nio.file.Path dir = LocalModelDir.of(model);
    try (HfCheckpoint ck = HfCheckpoint.open(dir); HfTokenizer tok = HfTokenizer.load(ck.tokenizerPath())) {
      SpecialTokens special = SpecialTokens.read(dir, tok);
      long[] ids;
      if (chat) {
        ChatTemplate template = ChatTemplate.of(special, dir.toString());
        if (template == null) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--chat needs a chat template, and " + model
              + " has none (no chat_template in tokenizer_config.json, no chat_template.jinja).");
        }
        // the template writes BOS itself, as apply_chat_template does
        ids = tok.encode(template.render(List.of(new ChatTemplate.Message("user", prompt)), true));
      } else {
        ids = special.withBos(tok.encode(prompt));
      }
      GenerationSettings s = new GenerationSettings(maxNewTokens, temperature, topP, seed, special.stopIds());
      CausalLm base = BaseModels.replica(model);
      out.println("=== base model");
      out.println(prompt + SampleGenerations.continuation(tok, special, ids, TextGenerator.generate(base, ids, s)));
      if (adapter != null) {
        CausalLm adapted = BaseModels.replica(model);
        PeftAdapterFolder.load(LocalModelDir.of(adapter), adapted).attachTo(adapted);
        out.println("=== with adapter " + adapter);
        out.println(prompt + SampleGenerations.continuation(tok, special, ids, TextGenerator.generate(adapted, ids, s)));
      }
    }
    out.flush();
    return 0;
  }
}
