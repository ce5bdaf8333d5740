package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A config record and its YAML mapping are one thing: each record component is the key of the same name
 * in snake_case ({@code maxSeqLen} → {@code max_seq_len}), in the same order. From that,
 * {@link #schema} declares the keys and their types (so a new key needs no schema line), and
 * {@link #tree} writes a record back as YAML (so it needs no writer line). Java types map to YAML as
 * int/long → integer, double → number, boolean, String and enums → string (an enum spelled by
 * {@link YamlNamed#yamlName}, else its {@code configName()}), {@link Duration} → duration, List →
 * list of strings, Map → string map, a {@link YamlValue} → its own type, a nested record → a section,
 * or its keys in place with {@link Inline}.
 */
public final class RecordYaml {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RecordYaml() {}

  /**
   * The schema of {@code type}'s mapping, nested records included.
   *
   * @param removed per record class, keys it no longer takes with the message saying what replaced them
   */
  public static Schema schema(Class<? extends Record> type, Map<Class<?>, Map<String, String>> removed) {
    Schema.Builder b = Schema.builder();
    addFields(b, type, removed);
    removed.getOrDefault(type, Map.of()).forEach(b::removed);
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static void addFields(Schema.Builder b, Class<?> type, Map<Class<?>, Map<String, String>> removed) {
    for (RecordComponent c : type.getRecordComponents()) {
      Class<?> t = c.getType();
      if (c.isAnnotationPresent(Inline.class)) {
        addFields(b, t, removed);
      } else if (t.isRecord() && !YamlValue.class.isAssignableFrom(t)) {
        b.section(key(c), schema((Class<? extends Record>) t, removed));
      } else {
        b.add(key(c), typeOf(c));
      }
    }
  }

  /** The YAML key of a component: its name in snake_case. */
  public static String key(RecordComponent c) {
    return c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
  }

  private static Schema.Type typeOf(RecordComponent c) {
    Class<?> t = c.getType();
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return Schema.Type.INT;
    } else if (t == double.class || t == Double.class) {
      return Schema.Type.NUMBER;
    } else if (t == boolean.class || t == Boolean.class) {
      return Schema.Type.BOOL;
    } else if (t == String.class || t.isEnum()) {
      return Schema.Type.STRING;
    } else if (t == Duration.class) {
      return Schema.Type.DURATION;
    } else if (YamlValue.class.isAssignableFrom(t)) {
      YamlValue.Type declared = t.getAnnotation(YamlValue.Type.class);
      return declared == null ? Schema.Type.STRING : declared.value();
    } else if (t == List.class && elementIsString(c, 0)) {
      return Schema.Type.STRING_LIST;
    } else if (t == Map.class && elementIsString(c, 0) && elementIsString(c, 1)) {
      return Schema.Type.STRING_MAP;
    }
    throw new IllegalStateException("The component " + c.getName() + " of " + c.getDeclaringRecord().getSimpleName()
        + " has the type " + c.getGenericType() + ", which has no YAML form; use one of the types RecordYaml lists.");
  }

  private static boolean elementIsString(RecordComponent c, int argument) {
    return c.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[argument] == String.class;
  }

  /** {@code r} as a YAML mapping with every key present (nulls as null), in component order. */
  public static ObjectNode tree(Record r) {
    ObjectNode out = NODES.objectNode();
    putFields(out, r);
    return out;
  }

  private static void putFields(ObjectNode out, Record r) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v = valueOf(c, r);
      if (c.isAnnotationPresent(Inline.class)) {
        putFields(out, (Record) v);
      } else {
        out.set(key(c), node(v));
      }
    }
  }

  private static JsonNode node(Object v) {
    if (v == null) {
      return NODES.nullNode();
    } else if (v instanceof YamlValue y) {
      return node(y.toYaml());
    } else if (v instanceof Record r) {
      return tree(r);
    } else if (v instanceof Enum<?> e) {
      return NODES.textNode(spelling(e));
    } else if (v instanceof Duration d) {
      return NODES.textNode(Durations.format(d));
    } else if (v instanceof List<?> list) {
      ArrayNode a = NODES.arrayNode();
      list.forEach(x -> a.add(String.valueOf(x)));
      return a;
    } else if (v instanceof Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      map.forEach((k, x) -> o.put(String.valueOf(k), String.valueOf(x)));
      return o;
    } else if (v instanceof Integer || v instanceof Long) {
      return NODES.numberNode(((Number) v).longValue());
    } else if (v instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    } else if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    return NODES.textNode(String.valueOf(v));
  }

  /** How an enum constant is written in a job file: {@link YamlNamed#yamlName}, else its {@code configName()}. */
  public static String spelling(Enum<?> e) {
    if (e instanceof YamlNamed n) {
      return n.yamlName();
    }
    try {
      Method m = e.getDeclaringClass().getMethod("configName");
      return (String) m.invoke(e);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException ex) {
      throw new IllegalStateException("The enum " + e.getDeclaringClass().getName() + " used in a config record has"
          + " neither a yamlName() nor a configName() spelling.", ex);
    }
  }

  private static Object valueOf(RecordComponent c, Record r) {
    try {
      return c.getAccessor().invoke(r);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("Cannot read " + c.getName() + " of " + r.getClass().getSimpleName() + ".", e);
    }
  }
}
