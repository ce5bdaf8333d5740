package org.lorafleet.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Maps a Hugging Face {@code config.json} onto {@link ModelConfig}. Anything whose math we do not
 * implement is refused with a message naming the key, never silently approximated.
 */
public final class ModelConfigReader {

  private ModelConfigReader() {}

  /** @param source where the JSON came from, used in error messages */
  public static ModelConfig read(JsonNode json, String source) {
    String type = text(json, "model_type", null);
    if (type == null) {
      throw new IllegalArgumentException(source + " has no 'model_type' key, so its architecture is unknown.");
    }
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "gpt2" -> gpt2(json, source);
      case "llama", "qwen2", "mistral" -> llama(json, source, type);
      default -> throw new IllegalArgumentException(source + ": model_type '" + type
          + "' is not supported; supported are gpt2, llama, qwen2 and mistral.");
    };
  }

  private static ModelConfig gpt2(JsonNode j, String src) {
    String act = text(j, "activation_function", "gelu_new");
    if (!act.equals("gelu_new")) {
      throw unsupported(src, "activation_function", act, "only gelu_new is implemented for gpt2");
    }
    if (j.path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
      throw unsupported(src, "scale_attn_by_inverse_layer_idx", "true", "only false is implemented");
    }
    if (!j.path("scale_attn_weights").asBoolean(true)) {
      throw unsupported(src, "scale_attn_weights", "false", "only true is implemented");
    }
    if (j.path("add_cross_attention").asBoolean(false)) {
      throw unsupported(src, "add_cross_attention", "true", "decoder-only models are supported");
    }
    int hidden = intKey(j, "n_embd", src);
    int heads = intKey(j, "n_head", src);
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(src + ": n_embd (" + hidden + ") is not a multiple of n_head (" + heads + ").");
    }
    JsonNode inner = j.get("n_inner");
    int intermediate = inner == null || inner.isNull() ? 4 * hidden : inner.asInt();
    return new ModelConfig(Architecture.GPT2, "gpt2", intKey(j, "vocab_size", src), hidden, intKey(j, "n_layer", src),
        heads, heads, hidden / heads, intermediate, intKey(j, "n_positions", src),
        j.path("layer_norm_epsilon").asDouble(1e-5), 0, true, 0);
  }

  private static ModelConfig llama(JsonNode j, String src, String type) {
    String act = text(j, "hidden_act", "silu");
    if (!act.equals("silu")) {
      throw unsupported(src, "hidden_act", act, "only silu is implemented for " + type);
    }
    int tp = j.path("pretraining_tp").asInt(1);
    if (tp != 1) {
      throw unsupported(src, "pretraining_tp", String.valueOf(tp), "only 1 is implemented");
    }
    int hidden = intKey(j, "hidden_size", src);
    int heads = intKey(j, "num_attention_heads", src);
    int kvHeads = j.hasNonNull("num_key_value_heads") ? j.get("num_key_value_heads").asInt() : heads;
    int headDim = j.hasNonNull("head_dim") ? j.get("head_dim").asInt() : hidden / heads;
    return new ModelConfig(Architecture.LLAMA, type.toLowerCase(Locale.ROOT), intKey(j, "vocab_size", src), hidden,
        intKey(j, "num_hidden_layers", src), heads, kvHeads, headDim, intKey(j, "intermediate_size", src),
        j.path("max_position_embeddings").asInt(Integer.MAX_VALUE), j.path("rms_norm_eps").asDouble(1e-6),
        ropeTheta(j, src), j.path("tie_word_embeddings").asBoolean(false), slidingWindow(j, type));
  }

  /** RoPE base from {@code rope_parameters} (transformers 5) or the older top-level keys. */
  private static double ropeTheta(JsonNode j, String src) {
    for (String key : new String[] {"rope_parameters", "rope_scaling"}) {
      JsonNode rope = j.get(key);
      if (rope == null || rope.isNull()) {
        continue;
      }
      String ropeType = rope.hasNonNull("rope_type") ? rope.get("rope_type").asText()
          : rope.path("type").asText("default");
      if (!ropeType.equals("default")) {
        throw unsupported(src, key + ".rope_type", ropeType, "only the default RoPE is implemented");
      }
      if (rope.hasNonNull("rope_theta")) {
        return rope.get("rope_theta").asDouble();
      }
    }
    return j.path("rope_theta").asDouble(10000.0);
  }

  private static int slidingWindow(JsonNode j, String type) {
    JsonNode w = j.get("sliding_window");
    if (w == null || w.isNull()) {
      return 0;
    }
    // Qwen2 stores a window but only applies it when use_sliding_window is true.
    if (type.equalsIgnoreCase("qwen2") && !j.path("use_sliding_window").asBoolean(false)) {
      return 0;
    }
    return w.asInt();
  }

  private static IllegalArgumentException unsupported(String src, String key, String value, String why) {
    return new IllegalArgumentException(src + ": '" + key + "' = " + value + " is not supported (" + why + ").");
  }

  private static String text(JsonNode j, String key, String dflt) {
    JsonNode n = j.get(key);
    return n == null || n.isNull() ? dflt : n.asText();
  }

  private static int intKey(JsonNode j, String key, String src) {
    JsonNode n = j.get(key);
    if (n == null || n.isNull() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(src + " lacks the integer key '" + key + "'.");
    }
    return n.asInt();
  }
}
