package org.lorafleet.orchestrator.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.tokenizer.SpecialTokens;
import org.lorafleet.trainer.train.GenerationSettings;
import org.lorafleet.trainer.train.TextGenerator;

/**
 * Before/after text for the run report: greedy continuations of the first eval sequences' prompts, by
 * the base model and with the trained adapter. A sequence's prompt is its tokens before the first
 * trained label (the prompt of a completion or chat row), or its first half when every token is
 * trained, at most {@value #MAX_PROMPT_TOKENS} tokens. Blocks while generating on the driver.
 */
public final class SampleGenerations {

  /** One prompt and the two continuations. */
  record Sample(String prompt, String base, String adapted) {}

  static final int PROMPTS = 3;
  static final int NEW_TOKENS = 24;
  static final int MAX_PROMPT_TOKENS = 64;

  private SampleGenerations() {}

  static List<Sample> of(List<TokenSequence> eval, String modelPath, LoadOptions load, LoraSettings lora,
      Map<String, FloatTensor> weights) {
    List<Sample> out = new ArrayList<>();
    if (eval.isEmpty()) {
      return out;
    }
    java.nio.file.Path dir = LocalModelDir.of(modelPath);
    try (HfCheckpoint ck = HfCheckpoint.open(dir); HfTokenizer tok = HfTokenizer.load(ck.tokenizerPath())) {
      SpecialTokens special = SpecialTokens.read(dir, tok);
      CausalLm base = BaseModels.replica(modelPath, load);
      CausalLm adapted = BaseModels.replica(modelPath, load);
      LoraAdapter.fromTensors(adapted, lora, weights, "the trained adapter").attachTo(adapted);
      GenerationSettings greedy = new GenerationSettings(NEW_TOKENS, 0, 1, 0, special.stopIds());
      for (TokenSequence seq : eval.subList(0, Math.min(PROMPTS, eval.size()))) {
        long[] prompt = prompt(seq);
        if (prompt.length == 0) {
          continue;
        }
        int from = special.bos() != null && prompt[0] == special.bos() ? 1 : 0;
        out.add(new Sample(tok.decode(Arrays.copyOfRange(prompt, from, prompt.length)),
            continuation(tok, special, prompt, TextGenerator.generate(base, prompt, greedy)),
            continuation(tok, special, prompt, TextGenerator.generate(adapted, prompt, greedy))));
      }
    }
    return out;
  }

  /** The prompt tokens of an eval sequence (see the class comment). */
  static long[] prompt(TokenSequence seq) {
    long[] ids = seq.inputIds();
    long[] labels = seq.labels();
    int firstTrained = 0;
    while (firstTrained < labels.length && labels[firstTrained] == TokenSequence.IGNORE) {
      firstTrained++;
    }
    // labels line up with the inputs (the loss shifts them); a lone untrained BOS is no prompt
    int end = firstTrained > 1 && firstTrained < labels.length ? firstTrained : ids.length / 2;
    return Arrays.copyOf(ids, Math.max(0, Math.min(Math.min(end, ids.length), MAX_PROMPT_TOKENS)));
  }

  /**
   * The text the new tokens add: prompt and continuation decoded together, minus the prompt's own
   * decoding (decoding the continuation alone would lose the space its first token starts with).
   * BOS and a final stop token are not shown.
   */
  public static String continuation(HfTokenizer tok, SpecialTokens special, long[] prompt, long[] generated) {
    int from = special.bos() != null && prompt.length > 0 && prompt[0] == special.bos() ? 1 : 0;
    int newCount = generated.length;
    if (newCount > 0 && special.stopIds().contains(generated[newCount - 1])) {
      newCount--;
    }
    long[] all = new long[prompt.length - from + newCount];
    System.arraycopy(prompt, from, all, 0, prompt.length - from);
    System.arraycopy(generated, 0, all, prompt.length - from, newCount);
    String before = tok.decode(Arrays.copyOfRange(prompt, from, prompt.length));
    String after = tok.decode(all);
    return after.startsWith(before) ? after.substring(before.length())
        : tok.decode(Arrays.copyOf(generated, newCount));
  }
}
