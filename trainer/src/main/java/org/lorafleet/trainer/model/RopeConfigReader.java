package org.lorafleet.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the RoPE variant of each layer type from config.json, in both spellings, with the precedence
 * of transformers' rope standardisation: transformers 5's {@code rope_parameters} (one object, or one
 * per layer type for Gemma 3) and the older {@code rope_scaling} (which wins when both are set) with
 * top-level {@code rope_theta}, {@code partial_rotary_factor} and, for Gemma 3,
 * {@code rope_local_base_freq} (the sliding layers' base; scaling applies to global layers only).
 * Unknown RoPE types are refused naming the key.
 */
final class RopeConfigReader {

  private RopeConfigReader() {}

  static Map<LayerType, RopeParameters> read(JsonNode j, String src, String modelType, int headDim, int maxPositions,
      Set<LayerType> types) {
    Map<LayerType, RopeParameters> out = new EnumMap<>(LayerType.class);
    JsonNode params = j.get("rope_parameters");
    JsonNode scaling = j.get("rope_scaling");
    boolean hasScaling = scaling != null && scaling.isObject() && !scaling.isEmpty();
    if (modelType.equals("gemma3_text")) {
      // Gemma3TextConfig: one section per layer type; an old rope_scaling applies to the global layers;
      // bases default to rope_theta (1e6, global) and rope_local_base_freq (1e4, sliding)
      boolean perType = params != null && params.isObject()
          && (params.has(LayerType.FULL.configName()) || params.has(LayerType.SLIDING.configName()));
      if (params != null && params.isObject() && !params.isEmpty() && !perType) {
        throw new IllegalArgumentException(src + ": 'rope_parameters' of a gemma3_text model must hold one section "
            + "per layer type (full_attention, sliding_attention).");
      }
      for (LayerType t : types) {
        ObjectNode section = JsonNodeFactory.instance.objectNode();
        JsonNode given = perType ? params.get(t.configName()) : null;
        if (given != null && given.isObject()) {
          section.setAll((ObjectNode) given);
        }
        if (t == LayerType.FULL && hasScaling) {
          section.setAll((ObjectNode) scaling);
        }
        double theta = t == LayerType.FULL ? j.path("rope_theta").asDouble(1_000_000.0)
            : j.path("rope_local_base_freq").asDouble(10_000.0);
        String key = perType ? "rope_parameters." + t.configName() : "rope_scaling";
        out.put(t, parse(j, section.isEmpty() ? null : section, key, src, theta, headDim, maxPositions, modelType,
            true));
      }
      return out;
    }
    // transformers: rope_parameters = rope_scaling or rope_parameters; rope_theta fills a missing base
    JsonNode section = hasScaling ? scaling : params != null && params.isObject() ? params : null;
    String key = hasScaling ? "rope_scaling" : "rope_parameters";
    RopeParameters r = parse(j, section, key, src, j.path("rope_theta").asDouble(10_000.0), headDim, maxPositions,
        modelType, false);
    for (LayerType t : types) {
      out.put(t, r);
    }
    return out;
  }

  /**
   * One RoPE section (null: plain RoPE with {@code theta}). {@code key} names the section in errors.
   * Keys are read from the section, except where transformers' standardisation lets a top-level key
   * override it ({@code partial_rotary_factor}, and {@code original_max_position_embeddings} for
   * llama3/yarn/longrope in a flat section).
   */
  private static RopeParameters parse(JsonNode j, JsonNode s, String key, String src, double theta, int headDim,
      int maxPositions, String modelType, boolean perType) {
    String type = "default";
    if (s != null) {
      String given = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
      type = given.toLowerCase(Locale.ROOT);
      if (modelType.equals("phi3") && (type.equals("su") || type.equals("yarn"))) {
        type = "longrope"; // Phi3Config renames both to longrope
      }
      if (!RopeParameters.TYPES.contains(type)) {
        throw HfModelConfigReader.unsupported(src, key + ".rope_type", given,
            "implemented RoPE types are " + String.join(", ", RopeParameters.TYPES));
      }
      theta = number(s, "rope_theta", theta);
    }
    double partial = s != null && s.hasNonNull("partial_rotary_factor") ? s.get("partial_rotary_factor").asDouble()
        : j.path("partial_rotary_factor").asDouble(1.0);
    if (type.equals("default") && !modelType.equals("phi3")) {
      partial = 1.0; // the Llama-family default RoPE (Llama, Qwen, Mistral, Gemma) rotates the whole head
    }
    int rotaryDim = (int) (headDim * partial);
    // Phi3Config always has original_max_position_embeddings (default 4096) and it overrides the section's;
    // elsewhere a top-level key overrides a flat section's, and per-layer-type sections keep their own
    int original;
    if (modelType.equals("phi3")) {
      original = j.path("original_max_position_embeddings").asInt(4096);
    } else if (!perType && j.hasNonNull("original_max_position_embeddings")) {
      original = j.get("original_max_position_embeddings").asInt();
    } else {
      original = s != null && s.hasNonNull("original_max_position_embeddings")
          ? s.get("original_max_position_embeddings").asInt() : maxPositions;
    }
    double factor = s == null ? Double.NaN : number(s, "factor", Double.NaN);
    double[] shortFactor = null;
    double[] longFactor = null;
    switch (type) {
      case "linear", "dynamic", "llama3" -> require(!Double.isNaN(factor), src, key + ".factor", type);
      case "yarn" -> {
        if (Double.isNaN(factor)) {
          factor = (double) maxPositions / original;
        }
      }
      case "longrope" -> {
        shortFactor = factors(s, "short_factor", key, src, rotaryDim);
        longFactor = factors(s, "long_factor", key, src, rotaryDim);
        if (Double.isNaN(factor)) { // Phi-3: the ratio of the extended to the original context
          factor = (double) maxPositions / original;
        }
      }
      default -> factor = 1.0;
    }
    if (type.equals("dynamic")) {
      original = maxPositions; // dynamic NTK grows beyond max_position_embeddings, whatever else is set
    }
    if (type.equals("llama3")) {
      require(s.hasNonNull("low_freq_factor") && s.hasNonNull("high_freq_factor"), src,
          key + ".low_freq_factor and high_freq_factor", type);
    }
    // yarn reads truncate from the top-level rope dict (a per-layer-type dict has none: true)
    boolean truncate = perType || s == null || s.path("truncate").asBoolean(true);
    return new RopeParameters(type, theta, rotaryDim, factor, original, maxPositions,
        s == null ? 0 : s.path("low_freq_factor").asDouble(0), s == null ? 0 : s.path("high_freq_factor").asDouble(0),
        s == null ? Double.NaN : number(s, "attention_factor", Double.NaN),
        s == null ? 0 : number(s, "mscale", 0), s == null ? 0 : number(s, "mscale_all_dim", 0),
        s == null ? 32 : positiveOr(s, "beta_fast", 32), s == null ? 1 : positiveOr(s, "beta_slow", 1),
        truncate, shortFactor, longFactor);
  }

  private static double number(JsonNode n, String key, double dflt) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? dflt : v.asDouble();
  }

  /** {@code x or default} as transformers writes it: a missing, null or zero value takes the default. */
  private static double positiveOr(JsonNode n, String key, double dflt) {
    double v = number(n, key, 0);
    return v == 0 ? dflt : v;
  }

  private static double[] factors(JsonNode s, String name, String key, String src, int rotaryDim) {
    JsonNode a = s.get(name);
    if (a == null || !a.isArray() || a.size() != rotaryDim / 2) {
      throw new IllegalArgumentException(src + ": '" + key + "." + name + "' must list " + rotaryDim / 2
          + " numbers (half the rotary dimension) for longrope.");
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  private static void require(boolean ok, String src, String key, String type) {
    if (!ok) {
      throw new IllegalArgumentException(src + ": RoPE type '" + type + "' needs '" + key + "'.");
    }
  }
}
