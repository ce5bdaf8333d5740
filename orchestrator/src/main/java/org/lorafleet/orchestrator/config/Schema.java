package org.lorafleet.orchestrator.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys a YAML mapping may hold and the type of each. A reader ({@link ConfigNode}) uses it to
 * report unknown keys with suggestions; {@link Overrides} uses it to type {@code --set} values. Job
 * files use {@link JobSchema#JOB}; other file kinds (sweeps) can declare their own.
 */
public final class Schema {

  /** Value types; {@link #STRING} also covers enum-like choices and paths. */
  public enum Type {
    INT, NUMBER, BOOL, STRING,
    /** A duration such as {@code 30s}, {@code 2m}, {@code 500ms}, {@code 1h}. */
    DURATION,
    STRING_LIST,
    /** A list of strings or one string ({@code lora.target_modules}). */
    STRING_OR_LIST,
    /** A mapping of free-form string keys to string values ({@code spark.conf}). */
    STRING_MAP,
    /** A nested mapping with its own schema. */
    SECTION,
    /** Free-form YAML read by its own reader ({@code parameters} of a sweep file); not settable by --set. */
    ANY
  }

  /** One key: its name, type, and for {@link Type#SECTION} the nested schema. */
  public record Field(String name, Type type, Schema section) {
    public Field {
      if ((type == Type.SECTION) != (section != null)) {
        throw new IllegalArgumentException("Field '" + name + "': a nested schema goes with type SECTION only.");
      }
    }
  }

  private final Map<String, Field> fields;
  private final Map<String, String> removed;

  private Schema(Map<String, Field> fields, Map<String, String> removed) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    this.removed = Map.copyOf(removed);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<Field> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** The message for a key this schema no longer takes (what replaced it), or the unknown-key message with a hint. */
  public String unknownKeyMessage(String typed) {
    String why = removed.get(typed);
    return why != null ? why : Suggestions.unknownKey(typed, names());
  }

  /** Key names in declaration order. */
  public List<String> names() {
    return new ArrayList<>(fields.keySet());
  }

  public List<Field> fields() {
    return new ArrayList<>(fields.values());
  }

  /** Builds a schema in declaration order (which is also the order the writer uses). */
  public static final class Builder {
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final Map<String, String> removed = new LinkedHashMap<>();

    /** A key that was taken once: using it is an error with {@code message} (say what replaced it). */
    public Builder removed(String name, String message) {
      removed.put(name, message);
      return this;
    }

    public Builder add(String name, Type type) {
      return put(new Field(name, type, null));
    }

    public Builder section(String name, Schema section) {
      return put(new Field(name, Type.SECTION, section));
    }

    private Builder put(Field f) {
      if (fields.putIfAbsent(f.name(), f) != null) {
        throw new IllegalArgumentException("Key '" + f.name() + "' is declared twice.");
      }
      return this;
    }

    public Schema build() {
      return new Schema(fields, removed);
    }
  }
}
