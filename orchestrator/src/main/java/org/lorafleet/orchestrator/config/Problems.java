package org.lorafleet.orchestrator.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects every problem found while reading one configuration, each placed at the file and line
 * its key came from, and throws them together at the end ({@link #throwIfAny()}).
 */
public final class Problems {

  private final LocatedYaml yaml;
  private final List<ConfigError> errors = new ArrayList<>();
  private final Set<String> keys = new HashSet<>();

  /** @param yaml the document keys are located in */
  public Problems(LocatedYaml yaml) {
    this.yaml = yaml;
  }

  /** Adds a problem about {@code key} (a dotted path), located where the key (or its parent) was defined. */
  public void add(String key, String message) {
    LocatedYaml.Location at = yaml.locate(key);
    addAt(at, key, message);
  }

  /** Adds a problem at an explicit location (e.g. an override). */
  public void addAt(LocatedYaml.Location at, String key, String message) {
    errors.add(new ConfigError(at.source(), at.line(), key, message));
    if (key != null) {
      keys.add(key);
    }
  }

  /**
   * Adds errors thrown by a record's validation (which knows keys but not files), placing each at its
   * key's location. An error about a key that already has one (e.g. a required key reported missing,
   * then found empty by the record) is dropped, so each mistake is reported once.
   */
  public void addAll(List<ConfigError> thrown) {
    for (ConfigError e : thrown) {
      if (e.key() != null && keys.contains(e.key())) {
        continue;
      }
      if (e.file() == null) {
        add(e.key() == null ? "" : e.key(), e.message());
      } else {
        errors.add(e);
        keys.add(e.key());
      }
    }
  }

  /** Runs {@code build} (typically a record constructor); its {@link ConfigException} errors are collected and null returned. */
  public <T> T attempt(Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigException e) {
      addAll(e.errors());
      return null;
    }
  }

  public boolean isEmpty() {
    return errors.isEmpty();
  }

  /** Errors so far: those with a line in line order, then the others (overrides) in the order found. */
  public List<ConfigError> errors() {
    List<ConfigError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt((ConfigError e) -> e.line() > 0 ? 0 : 1)
        .thenComparingInt(e -> e.line() > 0 ? e.line() : 0));
    return sorted;
  }

  /** @throws ConfigException listing every problem, if there is any */
  public void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors());
    }
  }
}
