package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A mapping of a {@link LocatedYaml} document read against a {@link Schema}. Every typed getter
 * returns the default when the key is absent; on a wrong type it records the problem (with the
 * key's file and line) in the shared {@link Problems} and returns the default, so reading goes on
 * and all problems are reported together. Keys not in the schema are reported when the node is
 * created, with a "did you mean" suggestion.
 *
 * <p>Getters named {@code optional…} return null for an explicit {@code null}; the others treat an
 * explicit null as a type error. Reading a key missing from the schema is a programming error
 * ({@link IllegalStateException}).
 */
public final class ConfigNode {

  private final LocatedYaml yaml;
  private final Problems problems;
  private final String path;
  private final ObjectNode node;
  private final Schema schema;

  private ConfigNode(LocatedYaml yaml, Problems problems, String path, ObjectNode node, Schema schema) {
    this.yaml = yaml;
    this.problems = problems;
    this.path = path;
    this.node = node;
    this.schema = schema;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (schema.field(k).isEmpty()) {
        problems.add(path(k), schema.unknownKeyMessage(k));
      }
    }
  }

  /** The top-level mapping of {@code yaml}; unknown top-level keys are reported now. */
  public static ConfigNode root(LocatedYaml yaml, Schema schema, Problems problems) {
    return new ConfigNode(yaml, problems, "", yaml.root(), schema);
  }

  /** Dotted path of this mapping ("" at the top). */
  public String path() {
    return path;
  }

  /** Dotted path of {@code key} in this mapping. */
  public String path(String key) {
    return LocatedYaml.child(path, key);
  }

  /** The nested mapping at {@code key}; absent or null reads as an empty mapping (all defaults). */
  public ConfigNode section(String key) {
    Schema.Field f = field(key);
    if (f.type() != Schema.Type.SECTION) {
      throw new IllegalStateException("Key '" + path(key) + "' is not a section in the schema.");
    }
    JsonNode v = node.get(key);
    if (v != null && !v.isNull() && !v.isObject()) {
      problems.add(path(key), "expected a mapping of keys, got " + describe(path(key), v));
    }
    ObjectNode o = v instanceof ObjectNode obj ? obj : JsonNodeFactory.instance.objectNode();
    return new ConfigNode(yaml, problems, path(key), o, f.section());
  }

  /** The value at a key of type {@link Schema.Type#ANY} as parsed, or null when absent. */
  public JsonNode raw(String key) {
    if (field(key).type() != Schema.Type.ANY) {
      throw new IllegalStateException("Key '" + path(key) + "' is not free-form in the schema.");
    }
    return node.get(key);
  }

  /** The scalar at {@code relPath} (relative to this mapping) exactly as written, or null. */
  public String scalarText(String relPath) {
    return yaml.scalarText(path(relPath));
  }

  /** Where {@code key} (a path relative to this mapping) was defined. */
  public LocatedYaml.Location locate(String key) {
    return yaml.locate(path(key));
  }

  /** Whether {@code key} is given, even as null. */
  public boolean isPresent(String key) {
    return get(key) != null;
  }

  /** Whether {@code key} is given a value other than null. */
  public boolean isSet(String key) {
    JsonNode v = get(key);
    return v != null && !v.isNull();
  }

  /** Records a problem about {@code key}. */
  public void error(String key, String message) {
    problems.add(path(key), message);
  }

  /** Runs a record constructor; its validation errors are collected and null is returned. */
  public <T> T attempt(Supplier<T> build) {
    return problems.attempt(build);
  }

  /** A string; numbers and booleans read as written ({@code yes}, {@code 007}). Explicit null gives null. */
  public String string(String key, String def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    return v.isNull() ? null : text(path(key), v, def);
  }

  /** A string that must be given; a missing or null key is reported and null returned. */
  public String requiredString(String key) {
    JsonNode v = get(key);
    if (v == null || v.isNull()) {
      problems.add(path(key), v == null ? "required key is missing" : "is required, got null");
      return null;
    }
    return text(path(key), v, null);
  }

  public int integer(String key, int def) {
    Long l = get(key) == null ? null : readLong(key, true);
    return l == null ? def : l.intValue();
  }

  public Integer optionalInteger(String key, Integer def) {
    JsonNode v = get(key);
    if (v == null || v.isNull()) {
      return v == null ? def : null;
    }
    Long l = readLong(key, true);
    return l == null ? def : Integer.valueOf(l.intValue());
  }

  public long longInteger(String key, long def) {
    Long l = get(key) == null ? null : readLong(key, false);
    return l == null ? def : l;
  }

  public double number(String key, double def) {
    Double d = get(key) == null ? null : readDouble(key);
    return d == null ? def : d;
  }

  public Double optionalNumber(String key, Double def) {
    JsonNode v = get(key);
    if (v == null || v.isNull()) {
      return v == null ? def : null;
    }
    Double d = readDouble(key);
    return d == null ? def : d;
  }

  public boolean bool(String key, boolean def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isTextual() && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(v.textValue());
    }
    problems.add(path(key), "expected true or false, got " + describe(path(key), v));
    return def;
  }

  /** One of an enum's {@link YamlNamed#yamlName() spellings}; a near miss gets a suggestion. */
  public <E extends Enum<E> & YamlNamed> E choice(String key, E def, Class<E> type) {
    return choice(key, def, type, YamlNamed::yamlName);
  }

  /**
   * One of the constants of an enum from another module (the trainer's, the parameter server's), spelled
   * as {@code spelling} gives; a near miss gets a suggestion.
   */
  public <E extends Enum<E>> E choice(String key, E def, Class<E> type, java.util.function.Function<E, String> spelling) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    List<String> names = Arrays.stream(type.getEnumConstants()).map(spelling).toList();
    String s = v.isNull() || v.isContainerNode() ? null : text(path(key), v, null);
    for (E e : type.getEnumConstants()) {
      if (spelling.apply(e).equals(s)) {
        return e;
      }
    }
    String msg = "must be one of " + String.join(", ", names) + " (got " + describe(path(key), v) + ")";
    if (s != null) {
      msg += Suggestions.closest(s, names).map(c -> "; did you mean '" + c + "'?").orElse("");
    }
    problems.add(path(key), msg);
    return def;
  }

  /** A duration ({@link Durations}): {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or an integer of seconds. */
  public Duration duration(String key, Duration def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    Duration d = Scalars.duration(v);
    if (d == null) {
      problems.add(path(key), "expected a duration such as 30s, 2m or 500ms, got " + describe(path(key), v));
      return def;
    }
    return d;
  }

  /** A list of strings; a single string reads as a one-element list. */
  public List<String> stringList(String key, List<String> def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (v.isArray()) {
      List<String> l = elements(key, v);
      return l == null ? def : l;
    }
    if (v.isNull() || v.isObject()) {
      problems.add(path(key), "expected a list of strings, got " + describe(path(key), v));
      return def;
    }
    return List.of(text(path(key), v, ""));
  }

  /**
   * A string or a list of strings ({@link Schema.Type#STRING_OR_LIST}).
   *
   * @return a {@code String} or an unmodifiable {@code List<String>}; {@code def} when absent or wrong
   */
  public Object stringOrList(String key, Object def) {
    JsonNode v = get(key);
    if (v == null) {
      return def;
    }
    if (v.isArray()) {
      List<String> l = elements(key, v);
      return l == null ? def : l;
    }
    if (v.isNull() || v.isObject()) {
      problems.add(path(key), "expected a string or a list of strings, got " + describe(path(key), v));
      return def;
    }
    return text(path(key), v, null);
  }

  /** A mapping of string keys to scalar values, read as strings, in file order; absent or null is empty. */
  public Map<String, String> stringMap(String key) {
    JsonNode v = get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      problems.add(path(key), "expected a mapping of strings, got " + describe(path(key), v));
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path(key) + "." + e.getKey();
      if (e.getValue().isNull() || e.getValue().isContainerNode()) {
        problems.add(p, "expected a string value, got " + describe(p, e.getValue()));
      } else {
        out.put(e.getKey(), text(p, e.getValue(), ""));
      }
    }
    return out;
  }

  /** The elements as strings, or null (with the problems recorded) when one is not a scalar. */
  private List<String> elements(String key, JsonNode array) {
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < array.size(); i++) {
      JsonNode e = array.get(i);
      String p = LocatedYaml.index(path(key), i);
      if (e.isNull() || e.isContainerNode()) {
        problems.add(p, "expected a string, got " + describe(p, e));
        ok = false;
      } else {
        out.add(text(p, e, ""));
      }
    }
    return ok ? List.copyOf(out) : null;
  }

  private Schema.Field field(String key) {
    return schema.field(key).orElseThrow(
        () -> new IllegalStateException("Key '" + path(key) + "' is read but not declared in the schema."));
  }

  private JsonNode get(String key) {
    field(key);
    return node.get(key);
  }

  private String text(String fullPath, JsonNode v, String def) {
    if (v.isContainerNode()) {
      problems.add(fullPath, "expected a string, got " + describe(fullPath, v));
      return def;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    String raw = yaml.scalarText(fullPath);
    return raw != null ? raw : v.asText();
  }

  private Long readLong(String key, boolean intRange) {
    JsonNode v = get(key);
    Long l = Scalars.integer(v);
    if (l == null) {
      problems.add(path(key), "expected an integer, got " + describe(path(key), v));
      return null;
    }
    if (intRange && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
      problems.add(path(key), "is too large (got " + l + ")");
      return null;
    }
    return l;
  }

  private Double readDouble(String key) {
    JsonNode v = get(key);
    Double d = Scalars.number(v);
    if (d == null) {
      problems.add(path(key), "expected a number, got " + describe(path(key), v));
    }
    return d;
  }

  private String describe(String fullPath, JsonNode v) {
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "'" + v.textValue() + "'";
    }
    String raw = yaml.scalarText(fullPath);
    return raw != null ? raw : v.asText();
  }
}
