package org.lorafleet.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** A reference model split into two shards plus an index reads exactly like the single file. */
class CheckpointShardingTest {

  private static final String SHARD1 = "model-00001-of-00002.safetensors";
  private static final String SHARD2 = "model-00002-of-00002.safetensors";

  @TempDir
  Path tmp;

  /** Splits the case's model in two shards under {@code dir}; returns the index's weight_map order. */
  private static List<String> shard(Path caseDir, Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.copy(caseDir.resolve("config.json"), dir.resolve("config.json"));
    Map<String, FloatTensor> first = new LinkedHashMap<>();
    Map<String, FloatTensor> second = new LinkedHashMap<>();
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode index = mapper.createObjectNode();
    index.putObject("metadata").put("total_size", 0);
    ObjectNode weightMap = index.putObject("weight_map");
    List<String> names = new ArrayList<>();
    try (SafetensorsFile raw = SafetensorsFile.open(caseDir.resolve("model.safetensors"))) {
      int i = 0;
      for (String name : raw.names()) {
        boolean toFirst = i++ % 2 == 0;
        (toFirst ? first : second).put(name, raw.readFloat(name));
        weightMap.put(name, toFirst ? SHARD1 : SHARD2);
        names.add(name);
      }
    }
    SafetensorsWriter.write(dir.resolve(SHARD1), first, Map.of("format", "pt"));
    SafetensorsWriter.write(dir.resolve(SHARD2), second, Map.of("format", "pt"));
    mapper.writeValue(dir.resolve(HfCheckpoint.WEIGHTS_INDEX).toFile(), index);
    return names;
  }

  @Test
  void shardedCheckpointReadsIdenticallyToTheSingleFile() throws Exception {
    for (Path caseDir : ReferenceCases.all()) {
      Path dir = tmp.resolve(caseDir.getFileName().toString());
      List<String> names = shard(caseDir, dir);
      try (HfCheckpoint sharded = HfCheckpoint.open(dir); HfCheckpoint single = HfCheckpoint.open(caseDir)) {
        assertEquals(names, List.copyOf(sharded.tensorNames()));
        assertEquals(single.config(), sharded.config());
        for (String name : single.tensorNames()) {
          assertEquals(single.tensor(name), sharded.tensor(name), name);
        }
        CheckpointException e = assertThrows(CheckpointException.class, sharded::tokenizerPath);
        assertTrue(e.getMessage().contains("has no tokenizer.json"), e.getMessage());
      }
    }
  }

  @Test
  void missingShardIsNamed() throws Exception {
    Path dir = tmp.resolve("missing");
    shard(ReferenceCases.all().get(0), dir);
    Files.delete(dir.resolve(SHARD2));
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertTrue(e.getMessage().contains("is missing shard " + SHARD2) && e.getMessage().contains(dir.toString()),
        e.getMessage());
  }

  @Test
  void shardOutsideTheFolderIsRefused() throws Exception {
    Path dir = tmp.resolve("escape");
    Files.createDirectories(dir);
    Files.copy(ReferenceCases.all().get(0).resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve(HfCheckpoint.WEIGHTS_INDEX),
        "{\"weight_map\": {\"w\": \"../elsewhere.safetensors\"}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertTrue(e.getMessage().contains("'../elsewhere.safetensors'"), e.getMessage());
  }

  @Test
  void indexWithoutWeightMap() throws Exception {
    Path dir = tmp.resolve("nomap");
    Files.createDirectories(dir);
    Files.copy(ReferenceCases.all().get(0).resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve(HfCheckpoint.WEIGHTS_INDEX), "{\"metadata\": {}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
    assertTrue(e.getMessage().contains("weight_map") && e.getMessage().contains(HfCheckpoint.WEIGHTS_INDEX),
        e.getMessage());
  }
}
