package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Unsupported models and targets are refused with a message naming the key or module. */
class ModelErrorsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A copy of a reference case with config.json edited by {@code edit}. */
  private static Path caseWithConfig(Path tmp, Path caseDir, java.util.function.Consumer<ObjectNode> edit)
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(caseDir.getFileName()));
    for (String f : List.of("model.safetensors", "tokenizer.json")) {
      Files.copy(caseDir.resolve(f), dir.resolve(f));
    }
    ObjectNode cfg = (ObjectNode) JSON.readTree(caseDir.resolve("config.json").toFile());
    edit.accept(cfg);
    JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    return dir;
  }

  private static String loadError(Path dir) {
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      return assertThrows(IllegalArgumentException.class, () -> CausalLmLoader.load(ck)).getMessage();
    }
  }

  @Test
  void unknownArchitectureIsNamed(@TempDir Path tmp) throws IOException {
    for (Path c : ReferenceCases.all()) {
      String msg = loadError(caseWithConfig(tmp.resolve("a").resolve(c.getFileName()), c, cfg -> cfg.put("model_type", "bert")));
      assertTrue(msg.contains("model_type 'bert' is not supported") && msg.contains("config.json"), msg);
    }
  }

  @Test
  void unsupportedRopeScalingNamesTheKey(@TempDir Path tmp) throws IOException {
    for (Path c : ReferenceCases.all()) {
      if (ReferenceCases.modelType(c).equals("gpt2")) {
        continue;
      }
      boolean perType = JSON.readTree(c.resolve("config.json").toFile()).path("rope_parameters").has("full_attention");
      String msg = loadError(caseWithConfig(tmp.resolve(c.getFileName()), c, cfg -> {
        if (perType) {
          ((ObjectNode) cfg.get("rope_parameters").get("full_attention")).put("rope_type", "ntk-by-parts");
        } else {
          cfg.putObject("rope_parameters").put("rope_type", "ntk-by-parts").put("rope_theta", 10000.0);
        }
      }));
      String key = perType ? "rope_parameters.full_attention.rope_type" : "rope_parameters.rope_type";
      assertTrue(msg.contains(key) && msg.contains("ntk-by-parts"), msg);
    }
  }

  @Test
  void unsupportedActivationNamesTheKey(@TempDir Path tmp) throws IOException {
    for (Path c : ReferenceCases.all()) {
      String type = ReferenceCases.modelType(c);
      String key = type.equals("gpt2") ? "activation_function" : type.startsWith("gemma") ? "hidden_activation"
          : "hidden_act";
      String msg = loadError(caseWithConfig(tmp.resolve(key).resolve(c.getFileName()), c, cfg -> cfg.put(key, "relu")));
      assertTrue(msg.contains("'" + key + "' = relu"), msg);
    }
  }

  @Test
  void missingTensorIsNamed(@TempDir Path tmp) throws IOException {
    for (Path c : ReferenceCases.all()) {
      // One more layer than the file holds.
      String layersKey = ReferenceCases.modelType(c).equals("gpt2") ? "n_layer" : "num_hidden_layers";
      Path dir = caseWithConfig(tmp.resolve("m").resolve(c.getFileName()), c, cfg -> {
        cfg.put(layersKey, cfg.get(layersKey).asInt() + 1);
        cfg.remove("layer_types");
      });
      String msg = loadError(dir);
      assertTrue(msg.contains("has no tensor") && msg.contains("requires"), msg);
    }
  }

  @Test
  void unknownTargetModuleListsTheLayerNames() {
    for (Path c : ReferenceCases.all()) {
      try (HfCheckpoint ck = HfCheckpoint.open(c)) {
        CausalLm model = CausalLmLoader.load(ck);
        String msg = assertThrows(IllegalArgumentException.class,
            () -> LoraAdapter.initialise(model, LoraSettings.of(4, 8, List.of("qkv_fused")), 1)).getMessage();
        assertTrue(msg.contains("'qkv_fused' matches no layer") && msg.contains("all-linear"), msg);
      }
    }
  }
}
