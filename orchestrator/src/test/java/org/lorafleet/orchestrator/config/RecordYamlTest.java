package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The job schema is the records' components, snake_case, in order, typed by their Java types; the
 * writer gives every key back in the same shape; a component type without a YAML form is refused.
 */
class RecordYamlTest {

  enum Colour implements YamlNamed {
    DARK_RED;

    @Override
    public String yamlName() {
      return "dark-red";
    }
  }

  record Inner(int depth, String label) {}

  record Sample(int count, Long big, double rate, Boolean flag, String text, Colour colour, Duration timeout,
      List<String> names, Map<String, String> extra, Inner inner, @Inline Inner flat) {}

  record Unsupported(Optional<String> maybe) {}

  @Test
  void keysAndTypesComeFromTheComponents() {
    Schema s = RecordYaml.schema(Sample.class, Map.of(Sample.class, Map.of("old", "was replaced by text")));
    assertEquals(List.of("count", "big", "rate", "flag", "text", "colour", "timeout", "names", "extra", "inner", "depth",
        "label"), s.names());
    assertEquals(List.of(Schema.Type.INT, Schema.Type.INT, Schema.Type.NUMBER, Schema.Type.BOOL, Schema.Type.STRING,
        Schema.Type.STRING, Schema.Type.DURATION, Schema.Type.STRING_LIST, Schema.Type.STRING_MAP,
        Schema.Type.SECTION, Schema.Type.INT, Schema.Type.STRING),
        s.fields().stream().map(Schema.Field::type).toList());
    assertEquals(List.of("depth", "label"), s.field("inner").orElseThrow().section().names());
    assertEquals("was replaced by text", s.unknownKeyMessage("old"));
  }

  @Test
  void theWriterSpellsEachValueAsAJobFileWould() {
    ObjectNode t = RecordYaml.tree(new Sample(3, null, 0.5, true, "x", Colour.DARK_RED, Duration.ofSeconds(90),
        List.of("a", "b"), Map.of("k", "v"), new Inner(1, "in"), new Inner(2, "flat")));
    assertEquals("{\"count\":3,\"big\":null,\"rate\":0.5,\"flag\":true,\"text\":\"x\",\"colour\":\"dark-red\","
        + "\"timeout\":\"" + Durations.format(Duration.ofSeconds(90)) + "\",\"names\":[\"a\",\"b\"],\"extra\":{\"k\":\"v\"},"
        + "\"inner\":{\"depth\":1,\"label\":\"in\"},\"depth\":2,\"label\":\"flat\"}", t.toString());
  }

  @Test
  void aComponentWithoutAYamlFormIsRefusedByName() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RecordYaml.schema(Unsupported.class, Map.of()));
    assertTrue(e.getMessage().contains("maybe of Unsupported"), e.getMessage());
  }

  @Test
  void theJobSchemaHasTheSpecialKeysOfTheJobFile() {
    assertEquals(Schema.Type.STRING_OR_LIST, JobSchema.LORA.field("target_modules").orElseThrow().type());
    assertEquals(Schema.Type.STRING, JobSchema.CHECKPOINT.field("resume").orElseThrow().type());
    assertEquals(Schema.Type.STRING, JobSchema.DISTRIBUTED.field("mode").orElseThrow().type());
    // the filter thresholds sit in data.quality itself, not in a nested mapping
    assertTrue(JobSchema.QUALITY.names().containsAll(List.of("min_words", "max_symbol_ratio", "placeholders"))
        && JobSchema.QUALITY.field("filters").isEmpty(), JobSchema.QUALITY.names().toString());
    assertTrue(JobSchema.TRAIN.unknownKeyMessage("eval_batches").contains("eval_max_sequences"));
    assertEquals(List.of("name", "seed", "model", "lora", "data", "train", "distributed", "parameter_server",
        "checkpoint", "output", "spark"), JobSchema.JOB.names());
  }

  @Test
  void sectionRecordsKnowTheirSectionName() {
    assertEquals(JobSchema.JOB.names().subList(2, 11), List.of(ModelConfig.SECTION, LoraConfig.SECTION,
        DataConfig.SECTION, TrainConfig.SECTION, DistributedConfig.SECTION, ParameterServerConfig.SECTION,
        CheckpointConfig.SECTION, OutputConfig.SECTION, SparkConfig.SECTION));
  }
}
