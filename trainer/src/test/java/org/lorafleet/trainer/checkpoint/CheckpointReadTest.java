package org.lorafleet.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Opens every reference case as a Hugging Face checkpoint. */
class CheckpointReadTest {

  @Test
  void everyReferenceCaseOpens() {
    for (Path caseDir : ReferenceCases.all()) {
      try (HfCheckpoint cp = HfCheckpoint.open(caseDir);
          SafetensorsFile raw = SafetensorsFile.open(caseDir.resolve("model.safetensors"))) {
        assertEquals(caseDir.toAbsolutePath().normalize(), cp.dir());
        JsonNode config = cp.config();
        assertTrue(config.path("model_type").isTextual(), caseDir + " config has a model_type");
        assertTrue(config.path("vocab_size").asInt() > 0, caseDir + " config has a vocab_size");
        assertEquals(List.copyOf(raw.names()), List.copyOf(cp.tensorNames()));
        for (String name : cp.tensorNames()) {
          assertTrue(cp.has(name));
          assertArrayEquals(raw.shape(name), cp.shape(name));
          assertEquals(raw.readFloat(name), cp.tensor(name), name);
        }
        assertFalse(cp.has("no.such.tensor"));
        assertTrue(Files.isRegularFile(cp.tokenizerPath()));
        assertEquals("tokenizer.json", cp.tokenizerPath().getFileName().toString());
      }
    }
  }

  @Test
  void configIsACopy() {
    try (HfCheckpoint cp = HfCheckpoint.open(ReferenceCases.all().get(0))) {
      ((ObjectNode) cp.config()).put("model_type", "changed");
      assertFalse("changed".equals(cp.config().path("model_type").asText()));
    }
  }

  @Test
  void missingTensorNamesTheCheckpoint() {
    Path caseDir = ReferenceCases.all().get(0);
    try (HfCheckpoint cp = HfCheckpoint.open(caseDir)) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> cp.tensor("no.such.tensor"));
      assertTrue(e.getMessage().contains(cp.dir().toString()) && e.getMessage().contains("'no.such.tensor'"),
          e.getMessage());
    }
  }

  @Test
  void closedCheckpointRefusesReads() {
    HfCheckpoint cp = HfCheckpoint.open(ReferenceCases.all().get(0));
    String name = cp.tensorNames().iterator().next();
    cp.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> cp.tensor(name));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }
}
