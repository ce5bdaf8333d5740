package org.lorafleet.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The defaults of a family's transformers config class for keys that real folders leave out (a
 * Gemma 3 {@code text_config} often lists only what differs from Gemma3TextConfig). Families
 * without an entry require the key.
 */
record FamilyDefaults(Map<String, Integer> ints) {

  private static final Map<String, Map<String, Integer>> BY_TYPE = Map.of(
      "gemma3_text", Map.of("vocab_size", 262_208, "hidden_size", 2304, "intermediate_size", 9216,
          "num_hidden_layers", 26, "num_attention_heads", 8, "num_key_value_heads", 4, "head_dim", 256,
          "max_position_embeddings", 131_072, "sliding_window", 4096),
      "qwen3", Map.of("head_dim", 128, "num_key_value_heads", 32, "max_position_embeddings", 32_768),
      "qwen2", Map.of("num_key_value_heads", 32, "max_position_embeddings", 32_768),
      "mistral", Map.of("num_key_value_heads", 8, "max_position_embeddings", 131_072, "sliding_window", 4096),
      "llama", Map.of("max_position_embeddings", 2048),
      "phi3", Map.of("max_position_embeddings", 4096, "original_max_position_embeddings", 4096));

  static FamilyDefaults of(String modelType) {
    return new FamilyDefaults(BY_TYPE.getOrDefault(modelType, Map.of()));
  }

  boolean has(String key) {
    return ints.containsKey(key);
  }

  /** The config's integer, else this family's default, else an error naming the key. */
  int intOr(JsonNode j, String key, String src) {
    JsonNode n = j.get(key);
    if ((n == null || n.isNull()) && ints.containsKey(key)) {
      return ints.get(key);
    }
    return HfModelConfigReader.intKey(j, key, src);
  }
}
