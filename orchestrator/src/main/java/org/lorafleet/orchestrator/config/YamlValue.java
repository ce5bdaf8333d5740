package org.lorafleet.orchestrator.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A config value that is a record in Java but one scalar or list in YAML ({@code checkpoint.resume},
 * {@code lora.target_modules}). {@link RecordYaml} writes it with {@link #toYaml} and declares it with
 * the schema type of {@link Type} on the class ({@link Schema.Type#STRING} when absent).
 */
public interface YamlValue {

  /** A String, or a List of Strings, as the value is written in a job file. */
  Object toYaml();

  /** The schema type of a {@link YamlValue} class. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @interface Type {
    Schema.Type value();
  }
}
