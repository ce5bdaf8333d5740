package org.lorafleet.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Incomplete or malformed checkpoint folders are refused with messages naming the file and problem. */
class CheckpointErrorsTest {

  @TempDir
  Path tmp;

  private Path copyOfFirstCase(String... files) throws Exception {
    Path source = ReferenceCases.all().get(0);
    Path dir = Files.createDirectories(tmp.resolve("cp"));
    for (String f : files) {
      Files.copy(source.resolve(f), dir.resolve(f));
    }
    return dir;
  }

  private static void assertMessage(RuntimeException e, String... fragments) {
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message contains '" + f + "': " + e.getMessage());
    }
    assertTrue(e.getMessage().endsWith("."), "message is a sentence: " + e.getMessage());
  }

  @Test
  void missingConfig() throws Exception {
    Path dir = copyOfFirstCase("model.safetensors", "tokenizer.json");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertMessage(e, dir.toString(), "has no config.json");
  }

  @Test
  void malformedConfigNamesLineAndColumn() throws Exception {
    Path dir = copyOfFirstCase("model.safetensors");
    Files.writeString(dir.resolve("config.json"), "{\n  \"model_type\": \"gpt2\",\n  \"n_embd\": 64,,\n}\n");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertMessage(e, dir.resolve("config.json").toString(), "not valid JSON", "line 3, column");
  }

  @Test
  void configThatIsNotAnObject() throws Exception {
    Path dir = copyOfFirstCase("model.safetensors");
    Files.writeString(dir.resolve("config.json"), "[1, 2]");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertMessage(e, "config.json", "instead of a JSON object");
  }

  @Test
  void missingWeights() throws Exception {
    Path dir = copyOfFirstCase("config.json");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertMessage(e, dir.toString(), "neither model.safetensors nor model.safetensors.index.json");
  }

  @Test
  void missingTokenizerIsAnErrorOnlyWhenAskedFor() throws Exception {
    Path dir = copyOfFirstCase("config.json", "model.safetensors");
    try (HfCheckpoint cp = HfCheckpoint.open(dir)) {
      CheckpointException e = assertThrows(CheckpointException.class, cp::tokenizerPath);
      assertMessage(e, dir.toString(), "has no tokenizer.json");
    }
  }

  @Test
  void missingFolder() {
    Path dir = tmp.resolve("nope");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertMessage(e, dir.toString(), "does not exist");
  }
}
