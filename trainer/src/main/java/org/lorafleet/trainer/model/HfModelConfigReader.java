package org.lorafleet.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps a Hugging Face {@code config.json} onto {@link HfModelConfig}. Anything whose math we do not
 * implement is refused with a message naming the key, never silently approximated. Keys a family's
 * config class defaults (Gemma 3 folders often omit most) take transformers' defaults.
 */
public final class HfModelConfigReader {

  /** model_type values that load, in the order docs list them. */
  public static final List<String> SUPPORTED = List.of("gpt2", "llama", "mistral", "qwen2", "qwen3", "phi3",
      "gemma3_text", "gemma3");

  private HfModelConfigReader() {}

  /** @param source where the JSON came from, used in error messages */
  public static HfModelConfig read(JsonNode json, String source) {
    String type = text(json, "model_type", null);
    if (type == null) {
      throw new IllegalArgumentException(source + " has no 'model_type' key, so its architecture is unknown.");
    }
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "gpt2" -> gpt2(json, source);
      case "llama", "qwen2", "qwen3", "mistral" -> rotary(json, source, type.toLowerCase(Locale.ROOT), Architecture.LLAMA);
      case "phi3" -> rotary(json, source, "phi3", Architecture.PHI3);
      case "gemma3_text" -> rotary(json, source, "gemma3_text", Architecture.GEMMA3);
      case "gemma3" -> gemma3Multimodal(json, source);
      default -> throw new IllegalArgumentException(source + ": model_type '" + type
          + "' is not supported; supported are " + String.join(", ", SUPPORTED) + ".");
    };
  }

  private static HfModelConfig gpt2(JsonNode j, String src) {
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
    return new HfModelConfig(Architecture.GPT2, "gpt2", intKey(j, "vocab_size", src), hidden, intKey(j, "n_layer", src),
        heads, heads, hidden / heads, intermediate, intKey(j, "n_positions", src),
        j.path("layer_norm_epsilon").asDouble(1e-5), true, null);
  }

  /** A multimodal Gemma 3 folder: its {@code text_config} describes the decoder we train. */
  private static HfModelConfig gemma3Multimodal(JsonNode j, String src) {
    JsonNode text = j.get("text_config");
    if (text == null || !text.isObject()) {
      throw new IllegalArgumentException(src + ": a 'gemma3' config needs a 'text_config' object for its language "
          + "model.");
    }
    com.fasterxml.jackson.databind.node.ObjectNode t = text.deepCopy();
    // Gemma3ForConditionalGeneration ties by the outer config (default true) and applies no logit soft cap
    t.put("tie_word_embeddings", j.path("tie_word_embeddings").asBoolean(true));
    t.putNull("final_logit_softcapping");
    return rotary(t, src + " (text_config)", "gemma3_text", Architecture.GEMMA3);
  }

  private static HfModelConfig rotary(JsonNode j, String src, String type, Architecture arch) {
    boolean gemma = arch == Architecture.GEMMA3;
    FamilyDefaults dflt = FamilyDefaults.of(type);
    for (String dropout : new String[] {"resid_pdrop", "embd_pdrop", "attention_dropout"}) {
      if (j.path(dropout).asDouble(0) != 0) {
        throw unsupported(src, dropout, j.get(dropout).asText(), "only 0 is implemented");
      }
    }
    if (j.path("use_bidirectional_attention").asBoolean(false)) {
      throw unsupported(src, "use_bidirectional_attention", "true", "only causal decoders are implemented");
    }
    String actKey = gemma ? "hidden_activation" : "hidden_act"; // each family reads exactly one
    String act = text(j, actKey, gemma ? "gelu_pytorch_tanh" : "silu");
    DecoderSpec.Activation activation = switch (act) {
      case "silu", "swish" -> DecoderSpec.Activation.SILU;
      case "gelu_pytorch_tanh", "gelu_new" -> DecoderSpec.Activation.GELU_TANH;
      default -> throw unsupported(src, actKey, act, "silu and gelu_pytorch_tanh are implemented");
    };
    int hidden = dflt.intOr(j, "hidden_size", src);
    int heads = dflt.intOr(j, "num_attention_heads", src);
    int kvHeads = j.hasNonNull("num_key_value_heads") || dflt.has("num_key_value_heads")
        ? dflt.intOr(j, "num_key_value_heads", src) : heads;
    int headDim = j.hasNonNull("head_dim") ? j.get("head_dim").asInt()
        : dflt.has("head_dim") ? dflt.intOr(j, "head_dim", src) : hidden / heads;
    int layers = dflt.intOr(j, "num_hidden_layers", src);
    int maxPositions = dflt.intOr(j, "max_position_embeddings", src);

    int window = slidingWindow(j, type, dflt);
    List<LayerType> layerTypes = layerTypes(j, src, type, layers, window);
    if (!layerTypes.contains(LayerType.SLIDING)) {
      window = 0;
    }
    Set<LayerType> present = layerTypes.isEmpty() ? EnumSet.noneOf(LayerType.class) : EnumSet.copyOf(layerTypes);
    double attentionScale = gemma ? Math.pow(j.path("query_pre_attn_scalar").asDouble(256), -0.5)
        : 1.0 / Math.sqrt(headDim);
    DecoderSpec spec = new DecoderSpec(activation, gemma, gemma, gemma || type.equals("qwen3"),
        arch == Architecture.PHI3, gemma ? Math.sqrt(hidden) : 1.0, attentionScale,
        softcap(j, "final_logit_softcapping", src), layerTypes, window,
        RopeConfigReader.read(j, src, type, headDim, maxPositions, present));
    return new HfModelConfig(arch, type, dflt.intOr(j, "vocab_size", src), hidden, layers, heads, kvHeads, headDim,
        dflt.intOr(j, "intermediate_size", src), maxPositions,
        j.path("rms_norm_eps").asDouble(type.equals("phi3") ? 1e-5 : 1e-6),
        j.path("tie_word_embeddings").asBoolean(gemma), spec);
  }

  private static double softcap(JsonNode j, String key, String src) {
    JsonNode n = j.get(key);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isNumber() || !(n.asDouble() > 0)) {
      throw unsupported(src, key, n.asText(), "a soft cap must be a positive number or null");
    }
    return n.asDouble();
  }

  /** The configured window, or 0 where the family ignores it (Qwen without use_sliding_window). */
  private static int slidingWindow(JsonNode j, String type, FamilyDefaults dflt) {
    boolean qwen = type.equals("qwen2") || type.equals("qwen3");
    if (type.equals("llama") || (qwen && !j.path("use_sliding_window").asBoolean(false))) {
      return 0;
    }
    JsonNode w = j.get("sliding_window");
    if (w == null) {
      return qwen ? 4096 : dflt.has("sliding_window") ? dflt.intOr(j, "sliding_window", "") : 0;
    }
    return w.isNull() ? 0 : w.asInt();
  }

  /**
   * As transformers decides per family: Qwen and Gemma 3 read {@code layer_types} when the config has
   * it, else derive it (Gemma 3 from the sliding-window pattern, every pattern-th layer global; Qwen
   * from {@code max_window_layers}); Mistral and Phi-3 slide on every layer once a window is set and
   * ignore {@code layer_types}; Llama never slides.
   */
  private static List<LayerType> layerTypes(JsonNode j, String src, String type, int layers, int window) {
    List<LayerType> out = new ArrayList<>();
    JsonNode given = j.get("layer_types");
    boolean readsLayerTypes = type.equals("qwen2") || type.equals("qwen3") || type.equals("gemma3_text");
    if (readsLayerTypes && given != null && !given.isNull()) {
      if (!given.isArray() || given.size() != layers) {
        throw new IllegalArgumentException(src + ": 'layer_types' must list one entry per layer (" + layers + ").");
      }
      for (int i = 0; i < layers; i++) {
        LayerType t = LayerType.fromConfig(given.get(i).asText());
        if (t == null) {
          throw unsupported(src, "layer_types[" + i + "]", given.get(i).asText(),
              "full_attention and sliding_attention are implemented");
        }
        out.add(window > 0 ? t : LayerType.FULL);
      }
      return out;
    }
    for (int i = 0; i < layers; i++) {
      boolean sliding;
      if (type.equals("gemma3_text")) {
        int pattern = j.hasNonNull("sliding_window_pattern") ? j.get("sliding_window_pattern").asInt()
            : 6; // transformers reads sliding_window_pattern only (_sliding_window_pattern is its attribute name)
        sliding = pattern <= 0 || (i + 1) % pattern != 0;
      } else if (type.equals("qwen2") || type.equals("qwen3")) {
        sliding = window > 0 && i >= j.path("max_window_layers").asInt(28);
      } else {
        sliding = window > 0 && (type.equals("mistral") || type.equals("phi3"));
      }
      out.add(sliding && window > 0 ? LayerType.SLIDING : LayerType.FULL);
    }
    return out;
  }

  static IllegalArgumentException unsupported(String src, String key, String value, String why) {
    return new IllegalArgumentException(src + ": '" + key + "' = " + value + " is not supported (" + why + ").");
  }

  private static String text(JsonNode j, String key, String dflt) {
    JsonNode n = j.get(key);
    return n == null || n.isNull() ? dflt : n.asText();
  }

  static int intKey(JsonNode j, String key, String src) {
    JsonNode n = j.get(key);
    if (n == null || n.isNull() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(src + " lacks the integer key '" + key + "'.");
    }
    return n.asInt();
  }
}
