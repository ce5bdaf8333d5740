package org.lorafleet.orchestrator.config;

/** An enum constant with its spelling in YAML files ({@code local-sgd}, {@code constant_with_warmup}). */
public interface YamlNamed {

  /** The spelling used in configuration files. */
  String yamlName();
}
