package org.lorafleet.trainer.train;

import java.util.List;

/**
 * How to sample: {@code temperature == 0} is greedy decoding; otherwise nucleus (top-p) sampling
 * (Holtzman et al., 2020) from softmax(logits / temperature), seeded for reproducibility.
 *
 * @param stopTokenIds tokens that end generation (the model's EOS ids; Llama 3 has three), may be empty
 */
public record GenerationSettings(int maxNewTokens, double temperature, double topP, long seed,
    List<Long> stopTokenIds) {

  public GenerationSettings {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max_new_tokens must be at least 1, got " + maxNewTokens + ".");
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature + ".");
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP + ".");
    }
    stopTokenIds = List.copyOf(stopTokenIds);
  }

  public static GenerationSettings greedy(int maxNewTokens) {
    return new GenerationSettings(maxNewTokens, 0, 1, 0, List.of());
  }
}
