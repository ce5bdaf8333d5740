package org.lorafleet.trainer.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;

/**
 * A PEFT LoRA adapter folder: {@code adapter_config.json} and {@code adapter_model.safetensors},
 * as {@code PeftModel.from_pretrained} loads and {@code save_pretrained} writes them.
 */
public final class PeftAdapterFolder {

  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeftAdapterFolder() {}

  /** Reads the LoRA settings of an adapter folder, refusing PEFT features we do not implement. */
  public static LoraSettings readSettings(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Adapter folder " + dir + " has no " + CONFIG + ".");
    }
    JsonNode c;
    try {
      c = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file + ".", e);
    }
    String type = c.path("peft_type").asText("LORA");
    if (!type.equals("LORA")) {
      throw new IllegalArgumentException(file + ": peft_type '" + type + "' is not supported; only LORA is.");
    }
    refuseIfSet(c, file, "use_dora", "DoRA");
    for (String key : new String[] {"rank_pattern", "alpha_pattern"}) {
      if (c.path(key).size() > 0) {
        throw new IllegalArgumentException(file + ": '" + key + "' (per-layer ranks/alphas) is not supported.");
      }
    }
    for (String key : new String[] {"layers_to_transform", "exclude_modules", "modules_to_save"}) {
      if (c.hasNonNull(key) && !(c.get(key).isArray() && c.get(key).isEmpty())) {
        throw new IllegalArgumentException(file + ": '" + key + "' is not supported.");
      }
    }
    String bias = c.path("bias").asText("none");
    if (!bias.equals("none")) {
      throw new IllegalArgumentException(file + ": bias '" + bias + "' is not supported; only 'none' is.");
    }
    JsonNode t = c.get("target_modules");
    List<String> targets = new ArrayList<>();
    String regex = null;
    if (t == null || t.isNull()) {
      throw new IllegalArgumentException(file + " has no 'target_modules'.");
    } else if (t.isTextual()) {
      if (t.asText().equals(LoraSettings.ALL_LINEAR)) {
        targets.add(LoraSettings.ALL_LINEAR);
      } else {
        regex = t.asText();
      }
    } else {
      t.forEach(n -> targets.add(n.asText()));
    }
    JsonNode fifo = c.get("fan_in_fan_out");
    return new LoraSettings(c.path("r").asInt(8), c.path("lora_alpha").asDouble(8), c.path("use_rslora").asBoolean(false),
        c.path("lora_dropout").asDouble(0.0), targets, regex, fifo == null || fifo.isNull() ? null : fifo.asBoolean());
  }

  private static void refuseIfSet(JsonNode c, Path file, String key, String what) {
    if (c.path(key).asBoolean(false)) {
      throw new IllegalArgumentException(file + ": '" + key + "' (" + what + ") is not supported.");
    }
  }

  /** Loads an adapter folder for {@code model}: settings, tensors, shape checks. */
  public static LoraAdapter load(Path dir, CausalLm model) {
    LoraSettings settings = readSettings(dir);
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      throw new IllegalArgumentException("Adapter folder " + dir + " has no " + WEIGHTS + ".");
    }
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    Map<String, FloatTensor> vision = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(weights)) {
      for (String name : f.names()) {
        String key = PeftNames.fileKey(name);
        (isVisionTower(key) ? vision : tensors).put(key, f.readFloat(name));
      }
    }
    checkVisionUnchanged(vision, weights);
    return LoraAdapter.fromTensors(model, settings, tensors, weights.toString());
  }

  /** Adapter tensors of a multimodal model's vision tower (PEFT's all-linear adds them for Gemma 3). */
  private static boolean isVisionTower(String key) {
    return key.contains(".vision_tower.") || key.contains(".multi_modal_projector.");
  }

  /**
   * We train the text decoder only: vision-tower LoRA pairs are accepted when they change nothing
   * (B all zero, as after text-only training), and refused otherwise so nothing is silently dropped.
   */
  private static void checkVisionUnchanged(Map<String, FloatTensor> vision, Path file) {
    for (Map.Entry<String, FloatTensor> e : vision.entrySet()) {
      if (e.getKey().contains(".lora_B.")) {
        for (float v : e.getValue().data()) {
          if (v != 0f) {
            throw new IllegalArgumentException(file + " adapts the vision tower ('" + e.getKey() + "'), which LoRA "
                + "Fleet does not load; only text-decoder adapters are supported.");
          }
        }
      }
    }
  }

  /**
   * Writes the adapter as a PEFT folder (tensors first, config last, each atomically).
   *
   * @param baseModel what to record as {@code base_model_name_or_path} (may be null)
   */
  public static void save(LoraAdapter adapter, CausalLm model, Path dir, String baseModel) {
    try {
      Files.createDirectories(dir);
      SafetensorsWriter.write(dir.resolve(WEIGHTS), adapter.parameters(), Map.of("format", "pt"));
      Path tmp = SafetensorsWriter.temporarySibling(dir.resolve(CONFIG));
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), config(adapter, model, baseModel));
      SafetensorsWriter.moveIntoPlace(tmp, dir.resolve(CONFIG));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the adapter to " + dir + ".", e);
    }
  }

  private static ObjectNode config(LoraAdapter adapter, CausalLm model, String baseModel) {
    LoraSettings s = adapter.settings();
    ObjectNode c = JSON.createObjectNode();
    c.putNull("alora_invocation_tokens");
    c.set("alpha_pattern", JSON.createObjectNode());
    c.putNull("auto_mapping");
    if (baseModel == null) {
      c.putNull("base_model_name_or_path");
    } else {
      c.put("base_model_name_or_path", baseModel);
    }
    c.put("bias", "none");
    c.putNull("exclude_modules");
    c.put("fan_in_fan_out", model.config().architecture() == Architecture.GPT2);
    c.put("inference_mode", true);
    c.put("init_lora_weights", true);
    c.putNull("layer_replication");
    c.putNull("layers_pattern");
    c.putNull("layers_to_transform");
    if (s.alpha() == Math.rint(s.alpha())) {
      c.put("lora_alpha", (long) s.alpha()); // PEFT writes integral alphas as ints
    } else {
      c.put("lora_alpha", s.alpha());
    }
    c.put("lora_bias", false);
    c.put("lora_dropout", s.dropout());
    c.putNull("modules_to_save");
    c.put("peft_type", "LORA");
    c.put("r", s.r());
    c.set("rank_pattern", JSON.createObjectNode());
    c.putNull("revision");
    if (s.targetRegex() != null) {
      c.put("target_modules", s.targetRegex());
    } else if (s.allLinear()) {
      c.put("target_modules", LoraSettings.ALL_LINEAR);
    } else {
      ArrayNode arr = c.putArray("target_modules");
      s.targetModules().forEach(arr::add);
    }
    c.put("task_type", "CAUSAL_LM");
    c.put("use_dora", false);
    c.put("use_rslora", s.rslora());
    return c;
  }
}
