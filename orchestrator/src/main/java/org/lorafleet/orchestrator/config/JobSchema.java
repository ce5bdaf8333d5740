package org.lorafleet.orchestrator.config;

import static org.lorafleet.orchestrator.config.Schema.Type.BOOL;
import static org.lorafleet.orchestrator.config.Schema.Type.DURATION;
import static org.lorafleet.orchestrator.config.Schema.Type.INT;
import static org.lorafleet.orchestrator.config.Schema.Type.NUMBER;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING_LIST;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING_MAP;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING_OR_LIST;

/**
 * The keys of a job file, section by section, in the order {@link ConfigWriter} writes them. Each key
 * is the snake_case name of a record component of {@link JobConfig} or its section records.
 */
public final class JobSchema {

  public static final Schema MODEL = Schema.builder()
      .add("path", STRING).add("backend", STRING).add("adapter", STRING).add("dtype", STRING).add("quantize", STRING)
      .add("double_quant", BOOL).add("hub_stage_dir", STRING).build();

  public static final Schema LORA = Schema.builder()
      .add("r", INT).add("alpha", NUMBER).add("dropout", NUMBER).add("target_modules", STRING_OR_LIST)
      .add("rslora", BOOL).build();

  public static final Schema QUALITY = Schema.builder()
      .add("enabled", BOOL).add("exact_dedup", BOOL).add("near_dedup", BOOL).add("near_dedup_threshold", NUMBER)
      .add("num_perm", INT).add("shingle_words", INT).add("quality_filters", BOOL).add("min_words", INT)
      .add("max_words", INT).add("min_mean_word_length", NUMBER).add("max_mean_word_length", NUMBER)
      .add("max_symbol_ratio", NUMBER).add("max_ellipsis_lines", NUMBER).add("max_duplicate_lines", NUMBER)
      .add("max_duplicate_ngram_chars", NUMBER).add("max_lines_without_punctuation", NUMBER)
      .add("placeholders", STRING_LIST).add("languages", STRING_LIST).add("decontamination", BOOL)
      .add("decontaminate", STRING_LIST).add("decontaminate_ngram", INT).add("pii", BOOL).add("keep_removed", BOOL)
      .build();

  public static final Schema DATA = Schema.builder()
      .add("train", STRING).add("eval", STRING).add("eval_fraction", NUMBER).add("format", STRING)
      .add("max_seq_len", INT).add("packing", BOOL).add("bad_rows", STRING).add("text_field", STRING)
      .add("prompt_field", STRING).add("completion_field", STRING).add("messages_field", STRING)
      .add("add_eos", BOOL).add("shuffle", BOOL).section("quality", QUALITY).build();

  public static final Schema TRAIN = Schema.builder()
      .add("max_steps", INT).add("epochs", INT).add("micro_batch_size", INT).add("grad_accum", INT)
      .add("lr", NUMBER).add("schedule", STRING).add("warmup_steps", INT).add("min_lr_ratio", NUMBER)
      .add("weight_decay", NUMBER).add("max_grad_norm", NUMBER).add("eval_every", INT)
      .add("eval_max_sequences", INT).add("log_every", INT).add("gradient_checkpointing", BOOL)
      .add("precision", STRING)
      // eval_batches counted micro-batches, so every batch layout scored a different subset of the eval set
      .removed("eval_batches", "was replaced by train.eval_max_sequences, a cap in sequences that does not depend "
          + "on the batch size or worker count (0, the default, scores the whole eval set)").build();

  public static final Schema DISTRIBUTED = Schema.builder()
      .add("workers", INT).add("mode", STRING).add("local_steps", INT).add("staleness", INT)
      .add("aggregation", STRING).add("step_timeout", DURATION).build();

  public static final Schema PARAMETER_SERVER = Schema.builder()
      .add("bind", STRING).add("advertise", STRING).add("auth", STRING).add("secret", STRING)
      .add("tls_cert", STRING).add("tls_key", STRING).add("max_message_mb", INT)
      .add("tensor_channel_port", INT).add("insecure", BOOL).build();

  public static final Schema CHECKPOINT = Schema.builder()
      .add("dir", STRING).add("every_steps", INT).add("keep_last", INT).add("resume", STRING)
      .add("write_retries", INT).add("retry_backoff", DURATION).build();

  public static final Schema OUTPUT = Schema.builder().add("dir", STRING).add("merge", BOOL).build();

  public static final Schema SPARK = Schema.builder().add("master", STRING).add("conf", STRING_MAP).build();

  /** The whole job file. */
  public static final Schema JOB = Schema.builder()
      .add("name", STRING).add("seed", INT)
      .section("model", MODEL).section("lora", LORA).section("data", DATA).section("train", TRAIN)
      .section("distributed", DISTRIBUTED).section("parameter_server", PARAMETER_SERVER)
      .section("checkpoint", CHECKPOINT).section("output", OUTPUT).section("spark", SPARK)
      .build();

  private JobSchema() {}
}
