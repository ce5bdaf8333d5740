package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link JobConfig} as YAML with every key present (defaults filled in, nulls written as
 * {@code null}), in schema order. Loading the output gives an equal {@code JobConfig}. This is the
 * resolved config written next to every run's output.
 */
public final class ConfigWriter {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build();

  /** Keys whose values are credentials, e.g. spark.authenticate.secret, fs.s3a.secret.key, keyStorePassword. */
  public static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile(
      "(?i).*(secret|password|passwd|token|credential|account\\.key|access\\.key|sas\\.key).*");
  public static final String REDACTED = "<redacted>";

  private ConfigWriter() {}

  /** The full resolved config, secret included (when one was configured). */
  public static String toYaml(JobConfig c) {
    return write(c, false);
  }

  /**
   * As {@link #toYaml}, but without {@code parameter_server.secret} (written as null, which means
   * "generate one per job") and with every {@code spark.conf} value whose key names a secret
   * ({@link #SECRET_KEY}: passwords, tokens, account or access keys) written as {@value #REDACTED},
   * for files that others may read (the run's config.yaml, summary.json, every checkpoint).
   */
  public static String toRedactedYaml(JobConfig c) {
    return write(c, true);
  }

  /** The resolved config as a tree, every key present. */
  public static ObjectNode toTree(JobConfig c) {
    ObjectNode root = NODES.objectNode();
    root.put("name", c.name());
    root.put("seed", c.seed());

    ModelConfig m = c.model();
    ObjectNode model = root.putObject("model");
    model.put("path", m.path());
    model.put("backend", m.backend().yamlName());
    model.put("adapter", m.adapter());
    model.put("dtype", m.dtype().configName());
    model.put("quantize", m.quantize().configName());
    model.put("double_quant", m.doubleQuant());
    model.put("hub_stage_dir", m.hubStageDir());

    LoraConfig l = c.lora();
    ObjectNode lora = root.putObject("lora");
    lora.put("r", l.r());
    lora.put("alpha", l.alpha());
    lora.put("dropout", l.dropout());
    if (l.targetModules().toYaml() instanceof List<?> names) {
      names.forEach(n -> lora.withArray("target_modules").add(String.valueOf(n)));
    } else {
      lora.put("target_modules", String.valueOf(l.targetModules().toYaml()));
    }
    lora.put("rslora", l.rslora());

    DataConfig d = c.data();
    ObjectNode data = root.putObject("data");
    data.put("train", d.train());
    data.put("eval", d.eval());
    data.put("eval_fraction", d.evalFraction());
    data.put("format", d.format().yamlName());
    data.put("max_seq_len", d.maxSeqLen());
    data.put("packing", d.packing());
    data.put("bad_rows", d.badRows().yamlName());
    data.put("text_field", d.textField());
    data.put("prompt_field", d.promptField());
    data.put("completion_field", d.completionField());
    data.put("messages_field", d.messagesField());
    data.put("add_eos", d.addEos());
    data.put("shuffle", d.shuffle());
    QualityConfig q = d.quality();
    ObjectNode quality = data.putObject("quality");
    quality.put("enabled", q.enabled());
    quality.put("exact_dedup", q.exactDedup());
    quality.put("near_dedup", q.nearDedup());
    quality.put("near_dedup_threshold", q.nearDedupThreshold());
    quality.put("num_perm", q.numPerm());
    quality.put("shingle_words", q.shingleWords());
    quality.put("quality_filters", q.qualityFilters());
    quality.put("min_words", q.filters().minWords());
    quality.put("max_words", q.filters().maxWords());
    quality.put("min_mean_word_length", q.filters().minMeanWordLength());
    quality.put("max_mean_word_length", q.filters().maxMeanWordLength());
    quality.put("max_symbol_ratio", q.filters().maxSymbolToWordRatio());
    quality.put("max_ellipsis_lines", q.filters().maxEllipsisLineFraction());
    quality.put("max_duplicate_lines", q.filters().maxDuplicateLineFraction());
    quality.put("max_duplicate_ngram_chars", q.filters().maxDuplicateNgramCharFraction());
    quality.put("max_lines_without_punctuation", q.filters().maxLinesWithoutPunctuationFraction());
    q.filters().placeholders().forEach(quality.putArray("placeholders")::add);
    q.languages().forEach(quality.putArray("languages")::add);
    quality.put("decontamination", q.decontamination());
    q.decontaminate().forEach(quality.putArray("decontaminate")::add);
    quality.put("decontaminate_ngram", q.decontaminateNgram());
    quality.put("pii", q.pii());
    quality.put("keep_removed", q.keepRemoved());

    TrainConfig t = c.train();
    ObjectNode train = root.putObject("train");
    train.put("max_steps", t.maxSteps());
    train.put("epochs", t.epochs());
    train.put("micro_batch_size", t.microBatchSize());
    train.put("grad_accum", t.gradAccum());
    train.put("lr", t.lr());
    train.put("schedule", t.schedule().yamlName());
    train.put("warmup_steps", t.warmupSteps());
    train.put("min_lr_ratio", t.minLrRatio());
    train.put("weight_decay", t.weightDecay());
    train.put("max_grad_norm", t.maxGradNorm());
    train.put("eval_every", t.evalEvery());
    train.put("eval_max_sequences", t.evalMaxSequences());
    train.put("log_every", t.logEvery());
    train.put("gradient_checkpointing", t.gradientCheckpointing());
    train.put("precision", t.precision().configName());

    DistributedConfig x = c.distributed();
    ObjectNode dist = root.putObject("distributed");
    dist.put("workers", x.workers());
    dist.put("mode", x.mode().configName());
    dist.put("local_steps", x.localSteps());
    dist.put("staleness", x.staleness());
    dist.put("aggregation", x.aggregation().configName());
    dist.put("step_timeout", Durations.format(x.stepTimeout()));

    ParameterServerConfig p = c.parameterServer();
    ObjectNode ps = root.putObject("parameter_server");
    ps.put("bind", p.bind());
    ps.put("advertise", p.advertise());
    ps.put("auth", p.auth().yamlName());
    ps.put("secret", p.secret());
    ps.put("tls_cert", p.tlsCert());
    ps.put("tls_key", p.tlsKey());
    ps.put("max_message_mb", p.maxMessageMb());
    ps.put("tensor_channel_port", p.tensorChannelPort());
    ps.put("insecure", p.insecure());

    CheckpointConfig k = c.checkpoint();
    ObjectNode ckpt = root.putObject("checkpoint");
    ckpt.put("dir", k.dir());
    ckpt.put("every_steps", k.everySteps());
    ckpt.put("keep_last", k.keepLast());
    ckpt.put("resume", k.resume().toString());
    ckpt.put("write_retries", k.writeRetries());
    ckpt.put("retry_backoff", Durations.format(k.retryBackoff()));

    ObjectNode out = root.putObject("output");
    out.put("dir", c.output().dir());
    out.put("merge", c.output().merge());

    ObjectNode spark = root.putObject("spark");
    spark.put("master", c.spark().master());
    ObjectNode conf = spark.putObject("conf");
    for (Map.Entry<String, String> e : c.spark().conf().entrySet()) {
      conf.put(e.getKey(), e.getValue());
    }
    return root;
  }

  /**
   * A copy of a YAML document with every credential hidden, for files written next to a run (e.g. the
   * sweep file as run): a mapping value whose key names a secret ({@link #SECRET_KEY}), and a
   * {@code key=value} override string whose key does, get {@value #REDACTED} as value.
   */
  public static JsonNode redacted(JsonNode doc) {
    JsonNode copy = doc.deepCopy();
    redactInPlace(copy);
    return copy;
  }

  private static void redactInPlace(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : iterable(o.fields())) {
        if (SECRET_KEY.matcher(e.getKey()).matches() && e.getValue().isValueNode() && !e.getValue().isNull()) {
          o.put(e.getKey(), REDACTED);
        } else {
          redactInPlace(e.getValue());
        }
      }
    } else if (n instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        JsonNode item = a.get(i);
        int eq = item.isTextual() ? item.asText().indexOf('=') : -1;
        if (eq > 0 && SECRET_KEY.matcher(item.asText().substring(0, eq)).matches()) {
          a.set(i, com.fasterxml.jackson.databind.node.TextNode.valueOf(item.asText().substring(0, eq + 1) + REDACTED));
        } else {
          redactInPlace(item);
        }
      }
    }
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    java.util.List<T> all = new java.util.ArrayList<>();
    it.forEachRemaining(all::add);
    return all; // a copy: the loop may replace values
  }

  private static String write(JobConfig c, boolean redact) {
    ObjectNode tree = toTree(c);
    if (redact) {
      ((ObjectNode) tree.get("parameter_server")).putNull("secret");
      ObjectNode conf = (ObjectNode) tree.get("spark").get("conf");
      for (String k : c.spark().conf().keySet()) {
        if (SECRET_KEY.matcher(k).matches()) {
          conf.put(k, REDACTED);
        }
      }
    }
    try {
      return "# Resolved configuration of job " + c.name() + ": every key, defaults filled in.\n"
          + YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Could not write the configuration of job " + c.name() + " as YAML.", e);
    }
  }
}
