package org.lorafleet.orchestrator.config;

import java.util.Map;

/**
 * The keys of a job file, section by section: derived from {@link JobConfig} and its section records
 * by {@link RecordYaml} (each key is the snake_case name of a record component, in component order, which
 * is also the order {@link ConfigWriter} writes them). A new key is a new record component; only a key
 * that was taken once and is no longer gets a line here.
 */
public final class JobSchema {

  /** Keys a section no longer takes, with what replaced them: using one is an error with that message. */
  private static final Map<Class<?>, Map<String, String>> REMOVED = Map.of(TrainConfig.class, Map.of(
      // eval_batches counted micro-batches, so every batch layout scored a different subset of the eval set
      "eval_batches", "was replaced by train.eval_max_sequences, a cap in sequences that does not depend "
          + "on the batch size or worker count (0, the default, scores the whole eval set)"));

  /** The whole job file. */
  public static final Schema JOB = RecordYaml.schema(JobConfig.class, REMOVED);

  public static final Schema MODEL = section(ModelConfig.SECTION);
  public static final Schema LORA = section(LoraConfig.SECTION);
  public static final Schema DATA = section(DataConfig.SECTION);
  public static final Schema QUALITY = DATA.field("quality").orElseThrow().section();
  public static final Schema TRAIN = section(TrainConfig.SECTION);
  public static final Schema DISTRIBUTED = section(DistributedConfig.SECTION);
  public static final Schema PARAMETER_SERVER = section(ParameterServerConfig.SECTION);
  public static final Schema CHECKPOINT = section(CheckpointConfig.SECTION);
  public static final Schema OUTPUT = section(OutputConfig.SECTION);
  public static final Schema SPARK = section(SparkConfig.SECTION);

  private JobSchema() {}

  private static Schema section(String name) {
    return JOB.field(name).orElseThrow().section();
  }
}
