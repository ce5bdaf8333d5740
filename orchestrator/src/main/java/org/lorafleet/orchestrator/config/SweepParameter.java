package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of a sweep file's {@code parameters}: a job key and the values trials give it.
 *
 * <pre>
 * parameters:
 *   train.lr: {log_uniform: [1.0e-4, 1.0e-2]}
 *   lora.r: [4, 8, 16]                 # a list: grid values, or choices for random
 *   lora.dropout: {uniform: [0.0, 0.2]}
 *   train.warmup_steps: {int: [0, 20]}  # both ends included
 * </pre>
 *
 * @param key dotted job key ({@code train.lr}); a single value, not a section
 * @param kind how values are drawn
 * @param choices the values of {@link Kind#CHOICE}, as {@code --set} would spell them (empty otherwise)
 * @param min lower bound of a distribution
 * @param max upper bound of a distribution
 */
public record SweepParameter(String key, Kind kind, List<String> choices, double min, double max) {

  /** Keys the sweep sets itself for each trial, or that all trials must share. */
  static final Set<String> RESERVED = Set.of("name", "output.dir", "checkpoint.dir", "checkpoint.resume",
      "spark.master", "spark.conf");

  /** How values are drawn. */
  public enum Kind implements YamlNamed {
    CHOICE, UNIFORM, LOG_UNIFORM, INT;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public SweepParameter {
    String at = LocatedYaml.child("parameters", key);
    Checks c = new Checks("");
    choices = List.copyOf(choices);
    switch (kind) {
      case CHOICE -> {
        c.check(!choices.isEmpty(), at, "needs at least one value");
        c.check(Set.copyOf(choices).size() == choices.size(), at, "lists a value twice: " + choices);
      }
      case UNIFORM -> c.check(min < max && Double.isFinite(min) && Double.isFinite(max), at,
          "uniform needs [min, max] with min < max (got [" + Checks.num(min) + ", " + Checks.num(max) + "])");
      case LOG_UNIFORM -> c.check(min > 0 && min < max && Double.isFinite(max), at,
          "log_uniform needs [min, max] with 0 < min < max (got [" + Checks.num(min) + ", " + Checks.num(max) + "])");
      case INT -> c.check(min <= max && min == Math.rint(min) && max == Math.rint(max) && Math.abs(max) < 1e15
          && Math.abs(min) < 1e15, at,
          "int needs [min, max] with whole numbers min <= max (got [" + Checks.num(min) + ", " + Checks.num(max) + "])");
    }
    c.done();
  }

  /** A choice parameter. */
  public static SweepParameter choice(String key, List<String> values) {
    return new SweepParameter(key, Kind.CHOICE, values, Double.NaN, Double.NaN);
  }

  /** Reads every entry of {@code parameters}; problems are reported at their lines. */
  static List<SweepParameter> readAll(ConfigNode root) {
    List<SweepParameter> out = new ArrayList<>();
    JsonNode params = root.raw("parameters");
    if (params == null || params.isNull() || params.isObject() && params.isEmpty()) {
      root.error("parameters", params == null ? "required key is missing: list the job keys to sweep"
          : "must list at least one job key to sweep");
      return out;
    }
    if (!params.isObject()) {
      root.error("parameters", "expected a mapping of job keys to values, e.g. 'train.lr: [1.0e-4, 3.0e-4]'");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = LocatedYaml.child("parameters", e.getKey());
      Optional<String> keyProblem = keyProblem(e.getKey());
      if (keyProblem.isPresent()) {
        root.error(at, keyProblem.get());
        continue;
      }
      SweepParameter p = read(root, e.getKey(), e.getValue());
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  private static SweepParameter read(ConfigNode root, String key, JsonNode v) {
    String at = LocatedYaml.child("parameters", key);
    if (v.isArray()) {
      List<String> values = new ArrayList<>();
      int i = 0;
      for (JsonNode e : v) {
        String written = root.scalarText(LocatedYaml.index(at, i++));
        if (e.isObject() || e.isNull()) {
          root.error(at, "values must be scalars or lists (got " + (e.isNull() ? "null" : "a mapping") + ")");
          return null;
        }
        values.add(e.isArray() ? listText(e) : written != null ? written : e.asText());
      }
      return root.attempt(() -> choice(key, values));
    }
    if (v.isObject() && v.size() == 1) {
      String kindName = v.fieldNames().next();
      JsonNode range = v.get(kindName);
      Kind kind = switch (kindName) {
        case "uniform" -> Kind.UNIFORM;
        case "log_uniform" -> Kind.LOG_UNIFORM;
        case "int" -> Kind.INT;
        default -> null;
      };
      if (kind == null) {
        root.error(at, Suggestions.unknownKey(kindName, List.of("uniform", "log_uniform", "int")));
        return null;
      }
      if (!range.isArray() || range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()) {
        root.error(at, kindName + " needs two numbers [min, max]");
        return null;
      }
      return root.attempt(() -> new SweepParameter(key, kind, List.of(), range.get(0).doubleValue(),
          range.get(1).doubleValue()));
    }
    root.error(at, "expected a list of values or one of {uniform: [min, max]}, {log_uniform: [min, max]}, "
        + "{int: [min, max]}");
    return null;
  }

  /** Why {@code key} cannot be swept, if it cannot: unknown (with a suggestion), a section, or reserved. */
  static Optional<String> keyProblem(String key) {
    if (RESERVED.contains(key) || key.startsWith("spark.conf.")) {
      return Optional.of("is set by the sweep for each trial or shared by all of them; it cannot be swept");
    }
    Schema s = JobSchema.JOB;
    String[] parts = key.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      Optional<Schema.Field> f = s.field(parts[i]);
      if (f.isEmpty()) {
        String within = i == 0 ? "a job file" : "section " + String.join(".", List.of(parts).subList(0, i));
        return Optional.of(Suggestions.unknownKey(parts[i], s.names()) + " (not a key of " + within + ")");
      }
      if (f.get().type() == Schema.Type.SECTION) {
        if (i == parts.length - 1) {
          return Optional.of("is a section; sweep one of its keys, e.g. " + key + "." + f.get().section().names().get(0));
        }
        s = f.get().section();
      } else if (i < parts.length - 1) {
        return Optional.of(String.join(".", List.of(parts).subList(0, i + 1)) + " is a single value, not a section");
      }
    }
    return Optional.empty();
  }

  private static String listText(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(x -> parts.add(x.asText()));
    return "[" + String.join(",", parts) + "]";
  }
}
