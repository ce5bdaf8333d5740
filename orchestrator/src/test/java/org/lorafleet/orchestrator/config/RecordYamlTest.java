package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema's keys are exactly the records' components, snake_case, in the same order. */
class SchemaConsistencyTest {

  @Test
  void schemaKeysMatchRecordComponents() {
    Map<Class<? extends Record>, Schema> sections = Map.of(
        ModelConfig.class, JobSchema.MODEL, LoraConfig.class, JobSchema.LORA, DataConfig.class, JobSchema.DATA,
        TrainConfig.class, JobSchema.TRAIN, DistributedConfig.class, JobSchema.DISTRIBUTED,
        ParameterServerConfig.class, JobSchema.PARAMETER_SERVER, CheckpointConfig.class, JobSchema.CHECKPOINT,
        OutputConfig.class, JobSchema.OUTPUT, SparkConfig.class, JobSchema.SPARK, JobConfig.class, JobSchema.JOB);
    sections.forEach((type, schema) -> assertEquals(snakeComponents(type), schema.names(), type.getSimpleName()));
  }

  @Test
  void sectionRecordsKnowTheirSectionName() {
    assertEquals(List.of("model", "lora", "data", "train", "distributed", "parameter_server", "checkpoint", "output",
        "spark"), List.of(ModelConfig.SECTION, LoraConfig.SECTION, DataConfig.SECTION, TrainConfig.SECTION,
        DistributedConfig.SECTION, ParameterServerConfig.SECTION, CheckpointConfig.SECTION, OutputConfig.SECTION,
        SparkConfig.SECTION));
    assertEquals(JobSchema.JOB.names().subList(2, 11), List.of("model", "lora", "data", "train", "distributed",
        "parameter_server", "checkpoint", "output", "spark"));
  }

  private static List<String> snakeComponents(Class<?> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
        .map(n -> n.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)).toList();
  }
}
