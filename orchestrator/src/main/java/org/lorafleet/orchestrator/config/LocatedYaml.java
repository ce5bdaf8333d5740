package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document as a Jackson tree plus where each key came from. Locations are kept per dotted
 * path ({@code train.lr}, {@code lora.target_modules[1]}), taken from the parser's token locations;
 * the original text of each scalar is kept too, so {@code yes} or {@code 007} given to a string key
 * stays as written. Overrides replace values and their locations ({@link #put}).
 */
public final class LocatedYaml {

  /** Where a value came from: a file and 1-based line and column, or an override source with line 0. */
  public record Location(String source, int line, int column) {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLFactory YAML = new YAMLFactory();

  private final String source;
  private final ObjectNode root;
  private final Map<String, Location> locations;
  private final Map<String, String> scalarText;

  private LocatedYaml(String source, ObjectNode root, Map<String, Location> locations, Map<String, String> text) {
    this.source = source;
    this.root = root;
    this.locations = locations;
    this.scalarText = text;
  }

  /**
   * Parses one YAML document whose top level is a mapping (an empty document is an empty mapping).
   *
   * @param source the name used in error messages, normally the file as the user gave it
   * @throws ConfigException on a syntax error, a duplicate key or a top level that is not a mapping
   */
  public static LocatedYaml parse(String text, String source) {
    LocatedYaml y = new LocatedYaml(source, NODES.objectNode(), new HashMap<>(), new HashMap<>());
    try (JsonParser p = YAML.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return y;
      }
      if (first != JsonToken.START_OBJECT) {
        throw new ConfigException(new ConfigError(source, line(p.currentTokenLocation()), null,
            "the top level must be a mapping of keys to values"));
      }
      y.readObject(p, "", y.root);
    } catch (JsonProcessingException e) {
      throw syntaxError(source, e);
    } catch (IOException e) {
      throw new ConfigException(new ConfigError(source, 0, null, "cannot parse the file: " + e.getMessage()));
    }
    return y;
  }

  /** An independent copy: overrides applied to it leave this one unchanged. */
  public LocatedYaml copy() {
    return new LocatedYaml(source, root.deepCopy(), new HashMap<>(locations), new HashMap<>(scalarText));
  }

  public String source() {
    return source;
  }

  /** The tree; a mapping at the top. Callers must not modify it (use {@link #put}). */
  public ObjectNode root() {
    return root;
  }

  /**
   * Where {@code path} was defined; when it was not (a missing key), where its nearest enclosing
   * key was; for a missing top-level key, line 1 of the file.
   */
  public Location locate(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Location l = locations.get(p);
      if (l != null) {
        return l;
      }
      p = parent(p);
    }
    return new Location(source, 1, 1);
  }

  /** The scalar at {@code path} exactly as written in the file, or null (not a scalar, or set by override). */
  public String scalarText(String path) {
    return scalarText.get(path);
  }

  /**
   * Sets the value at a path given as segments, creating missing or null mappings on the way.
   *
   * @return false, changing nothing, when a mapping on the way holds a value that is not a mapping
   */
  public boolean put(List<String> segments, JsonNode value, Location from) {
    ObjectNode obj = root;
    String path = "";
    for (int i = 0; i < segments.size() - 1; i++) {
      path = child(path, segments.get(i));
      JsonNode next = obj.get(segments.get(i));
      if (next == null || next.isNull()) {
        next = obj.putObject(segments.get(i));
        locations.put(path, from);
        scalarText.remove(path);
      } else if (!next.isObject()) {
        return false;
      }
      obj = (ObjectNode) next;
    }
    path = child(path, segments.get(segments.size() - 1));
    String prefix = path;
    locations.keySet().removeIf(k -> k.equals(prefix) || k.startsWith(prefix + ".") || k.startsWith(prefix + "["));
    scalarText.keySet().removeIf(k -> k.equals(prefix) || k.startsWith(prefix + ".") || k.startsWith(prefix + "["));
    obj.set(segments.get(segments.size() - 1), value);
    locations.put(path, from);
    for (int i = 0; i < value.size() && value.isArray(); i++) {
      locations.put(index(path, i), from);
    }
    return true;
  }

  /** Removes the value at a path given as segments, if present. */
  public void remove(List<String> segments) {
    JsonNode obj = root;
    for (int i = 0; i < segments.size() - 1 && obj != null; i++) {
      obj = obj.get(segments.get(i));
    }
    if (obj instanceof ObjectNode o) {
      o.remove(segments.get(segments.size() - 1));
    }
  }

  /** {@code parent.key}, or {@code key} at the top. */
  public static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /** {@code parent[i]}. */
  public static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  private void readObject(JsonParser p, String path, ObjectNode into) throws IOException {
    Map<String, Integer> firstLine = new HashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      Location at = location(p);
      String childPath = child(path, name);
      p.nextToken();
      JsonNode value = readValue(p, childPath);
      Integer earlier = firstLine.putIfAbsent(name, at.line());
      if (earlier != null) {
        throw new ConfigException(new ConfigError(source, at.line(), childPath,
            "duplicate key; it is already defined on line " + earlier));
      }
      locations.put(childPath, at);
      into.set(name, value);
    }
    if (t != JsonToken.END_OBJECT) {
      throw new ConfigException(new ConfigError(source, line(p.currentTokenLocation()), path,
          "unexpected YAML structure (" + t + ")"));
    }
  }

  private JsonNode readValue(JsonParser p, String path) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        readObject(p, path, o);
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String itemPath = index(path, i++);
          locations.put(itemPath, location(p));
          a.add(readValue(p, itemPath));
        }
        return a;
      }
      default -> {
        scalarText.put(path, p.getText());
        return scalar(p, t);
      }
    }
  }

  private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
    String text = p.getText();
    try {
      return switch (t) {
        case VALUE_NULL -> NODES.nullNode();
        case VALUE_TRUE -> NODES.booleanNode(true);
        case VALUE_FALSE -> NODES.booleanNode(false);
        case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
        case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
        default -> NODES.textNode(text);
      };
    } catch (IOException | RuntimeException e) {
      return NODES.textNode(text);
    }
  }

  private Location location(JsonParser p) {
    return new Location(source, line(p.currentTokenLocation()), p.currentTokenLocation().getColumnNr());
  }

  private static int line(JsonLocation l) {
    return Math.max(0, l.getLineNr());
  }

  /** The YAML parser's problem and the line it was found on, preferring SnakeYAML's own marks. */
  private static ConfigException syntaxError(String source, JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblem() != null) {
        String what = m.getContext() == null ? m.getProblem() : m.getContext() + ": " + m.getProblem();
        int line = m.getProblemMark() != null ? m.getProblemMark().getLine() + 1
            : m.getContextMark() != null ? m.getContextMark().getLine() + 1 : 0;
        return new ConfigException(new ConfigError(source, line, null, "invalid YAML: " + oneLine(what)));
      }
    }
    JsonLocation at = e.getLocation();
    String m = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().strip();
    int cut = m.indexOf("\n in ");
    return new ConfigException(new ConfigError(source, at == null ? 0 : line(at), null,
        "invalid YAML: " + oneLine(cut > 0 ? m.substring(0, cut) : m)));
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
