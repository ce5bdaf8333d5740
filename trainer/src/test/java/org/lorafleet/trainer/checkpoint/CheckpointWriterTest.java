package org.lorafleet.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;

class CheckpointWriterTest {

  @TempDir
  Path tmp;

  @Test
  void writtenCheckpointReopensWithTheSameContent() throws Exception {
    for (Path caseDir : ReferenceCases.all()) {
      Path out = tmp.resolve("out").resolve(caseDir.getFileName().toString());
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      try (HfCheckpoint source = HfCheckpoint.open(caseDir)) {
        for (String name : source.tensorNames()) {
          tensors.put(name, source.tensor(name));
        }
        HfCheckpointWriter.write(out, source.config(), tensors, source.tokenizerPath());
        try (HfCheckpoint copy = HfCheckpoint.open(out)) {
          assertEquals(source.config(), copy.config());
          assertEquals(List.copyOf(source.tensorNames()), List.copyOf(copy.tensorNames()));
          for (String name : source.tensorNames()) {
            assertEquals(tensors.get(name), copy.tensor(name), name);
          }
          assertArrayEquals(Files.readAllBytes(source.tokenizerPath()), Files.readAllBytes(copy.tokenizerPath()));
        }
      }
      assertEquals(Files.exists(caseDir.resolve("generation_config.json")),
          Files.exists(out.resolve("generation_config.json")));
      try (SafetensorsFile st = SafetensorsFile.open(out.resolve("model.safetensors"))) {
        assertEquals(Map.of("format", "pt"), st.metadata());
      }
      String config = Files.readString(out.resolve("config.json"));
      assertTrue(config.startsWith("{\n  \""), config);
      assertTrue(config.contains("\"model_type\": "), config);
      assertTrue(config.endsWith("}\n"), config);
      assertEquals(new ObjectMapper().readTree(caseDir.resolve("config.json").toFile()),
          new ObjectMapper().readTree(config));
    }
  }

  @Test
  void writesWithoutATokenizerAndOverwritesAnEarlierCheckpoint() throws Exception {
    Path out = tmp.resolve("plain");
    ObjectMapper mapper = new ObjectMapper();
    Map<String, FloatTensor> one = Map.of("w", FloatTensor.zeros(2, 2));
    HfCheckpointWriter.write(out, mapper.readTree("{\"model_type\": \"x\", \"empty\": {}, \"list\": []}"), one, null);
    Map<String, FloatTensor> two = Map.of("v", new FloatTensor(new long[] {1}, new float[] {3f}));
    HfCheckpointWriter.write(out, mapper.readTree("{\"model_type\": \"y\"}"), two, null);
    try (HfCheckpoint cp = HfCheckpoint.open(out)) {
      assertEquals("y", cp.config().path("model_type").asText());
      assertEquals(List.of("v"), List.copyOf(cp.tensorNames()));
      assertFalse(Files.exists(out.resolve("tokenizer.json")));
    }
  }

  @Test
  void prettyPrintingMatchesPythonLayoutForEmptyContainers() throws Exception {
    Path out = tmp.resolve("layout");
    HfCheckpointWriter.write(out, new ObjectMapper().readTree("{\"a\": {}, \"b\": [], \"c\": [1, 2]}"),
        Map.of(), null);
    assertEquals("{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    2\n  ]\n}\n",
        Files.readString(out.resolve("config.json")));
  }

  @Test
  void missingTokenizerSourceIsNamed() {
    Path missing = tmp.resolve("nowhere/tokenizer.json");
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> HfCheckpointWriter.write(tmp.resolve("x"), new ObjectMapper().createObjectNode(), Map.of(), missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }
}
