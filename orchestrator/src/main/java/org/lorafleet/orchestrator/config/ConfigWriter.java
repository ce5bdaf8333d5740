package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a {@link JobConfig} as YAML with every key present (defaults filled in, nulls written as
 * {@code null}), in schema order. Loading the output gives an equal {@code JobConfig}. This is the
 * resolved config written next to every run's output.
 */
public final class ConfigWriter {

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
    return RecordYaml.tree(c); // every component, in order: the schema's keys (RecordYaml)
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
