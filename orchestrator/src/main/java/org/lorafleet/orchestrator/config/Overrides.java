package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code key=value} overrides ({@code --set train.lr=1e-4}) applied to a parsed document before it is
 * validated. Keys are dotted paths checked against the schema (an unknown key gets the same "did you
 * mean" as in a file, with the override source as its file); values are typed by the schema:
 * integers, numbers, {@code true}/{@code false}, lists as {@code [a,b]} or {@code a,b}, and
 * {@code null} or {@code ~} for null. A value in quotes is taken as a string as is. Under a string map
 * ({@code spark.conf}) the rest of the key is the entry's name: {@code spark.conf.spark.executor.memory=4g};
 * setting an entry to null removes it.
 */
public final class Overrides {

  /** The source named in errors about command-line overrides. */
  public static final String COMMAND_LINE = "--set";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private Overrides() {}

  /**
   * Applies {@code assignments} in order (a later one wins) to {@code yaml}. Problems with the
   * assignments themselves go to {@code problems}, located at {@code source}; the values are checked
   * later, by the normal reading, which places their errors at {@code source} too.
   */
  public static void apply(LocatedYaml yaml, Schema schema, List<String> assignments, String source, Problems problems) {
    LocatedYaml.Location at = new LocatedYaml.Location(source, 0, 0);
    for (String a : assignments) {
      int eq = a.indexOf('=');
      String key = eq < 0 ? a.trim() : a.substring(0, eq).trim();
      if (eq <= 0 || key.isEmpty()) {
        problems.addAt(at, key.isEmpty() ? null : key, "expected key=value, e.g. train.lr=1e-4 (got '" + a + "')");
        continue;
      }
      applyOne(yaml, schema, key, a.substring(eq + 1).trim(), at, problems);
    }
  }

  private static void applyOne(LocatedYaml yaml, Schema schema, String key, String value,
      LocatedYaml.Location at, Problems problems) {
    List<String> segments = Arrays.asList(key.split("\\.", -1));
    Schema s = schema;
    String path = "";
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      if (seg.isEmpty()) {
        problems.addAt(at, key, "is not a valid key (empty part between dots)");
        return;
      }
      path = LocatedYaml.child(path, seg);
      Optional<Schema.Field> field = s.field(seg);
      if (field.isEmpty()) {
        problems.addAt(at, path, s.unknownKeyMessage(seg));
        return;
      }
      Schema.Field f = field.get();
      switch (f.type()) {
        case SECTION -> {
          if (last) {
            problems.addAt(at, path, "is a section; set one of its keys, e.g. " + path + "." + f.section().names().get(0));
            return;
          }
          s = f.section();
        }
        case STRING_MAP -> {
          if (last) {
            problems.addAt(at, path, "is a mapping; set one entry with " + path + ".<name>=value");
            return;
          }
          List<String> target = new ArrayList<>(segments.subList(0, i + 1));
          target.add(String.join(".", segments.subList(i + 1, segments.size())));
          if (isNull(value)) {
            yaml.remove(target);
          } else {
            yaml.put(target, NODES.textNode(unquote(value)), at);
          }
          return;
        }
        case ANY -> {
          problems.addAt(at, path, "cannot be set with --set; edit the file");
          return;
        }
        default -> {
          if (!last) {
            problems.addAt(at, key, path + " is a single value, not a section");
            return;
          }
          // A section in the file that is not a mapping is reported when the file is read.
          yaml.put(segments, convert(f.type(), value), at);
          return;
        }
      }
    }
  }

  /** The value typed as the schema says; text that does not fit stays text, for the reader to report. */
  static JsonNode convert(Schema.Type type, String value) {
    if (isNull(value)) {
      return NODES.nullNode();
    }
    return switch (type) {
      case INT -> INTEGER.matcher(value).matches() ? integer(value) : NODES.textNode(value);
      case NUMBER -> INTEGER.matcher(value).matches() ? integer(value)
          : DECIMAL.matcher(value).matches() ? NODES.numberNode(Double.parseDouble(value)) : NODES.textNode(value);
      case BOOL -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")
          ? NODES.booleanNode(Boolean.parseBoolean(value.toLowerCase(Locale.ROOT))) : NODES.textNode(value);
      case STRING_LIST -> list(value);
      case STRING_OR_LIST -> isQuoted(value) ? NODES.textNode(unquote(value))
          : value.startsWith("[") || value.contains(",") ? list(value) : NODES.textNode(value);
      default -> NODES.textNode(unquote(value));
    };
  }

  private static JsonNode integer(String value) {
    try {
      return NODES.numberNode(Long.parseLong(value.startsWith("+") ? value.substring(1) : value));
    } catch (NumberFormatException e) {
      return NODES.textNode(value);
    }
  }

  private static ArrayNode list(String value) {
    String inner = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
    ArrayNode a = NODES.arrayNode();
    if (!inner.isBlank()) {
      for (String part : inner.split(",", -1)) {
        a.add(unquote(part.trim()));
      }
    }
    return a;
  }

  private static boolean isNull(String value) {
    return value.equals("null") || value.equals("~");
  }

  private static boolean isQuoted(String v) {
    return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"));
  }

  private static String unquote(String v) {
    return isQuoted(v) ? v.substring(1, v.length() - 1) : v;
  }
}
