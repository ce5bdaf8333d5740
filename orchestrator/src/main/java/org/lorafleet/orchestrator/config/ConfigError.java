package org.lorafleet.orchestrator.config;

/**
 * One problem found in a configuration.
 *
 * @param file where the value came from: the configuration file as it was named, {@code --set} for a
 *     command-line override, or null when a record was built in code
 * @param line 1-based line in {@code file}, or 0 when there is no line (overrides, records built in code)
 * @param key dotted key the problem is about ({@code train.lr}, {@code lora.target_modules[1]}), or
 *     null when it concerns the whole file
 * @param message what is wrong, e.g. {@code must be > 0 (got -1)}
 */
public record ConfigError(String file, int line, String key, String message) {

  public ConfigError {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("A configuration error needs a message.");
    }
    if (line < 0) {
      throw new IllegalArgumentException("A line number must be >= 0, got " + line + ".");
    }
  }

  /** Reads like {@code job.yaml:12: train.lr: must be > 0 (got -1)}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    if (file != null) {
      s.append(file);
      if (line > 0) {
        s.append(':').append(line);
      }
      s.append(": ");
    }
    if (key != null && !key.isEmpty()) {
      s.append(key).append(": ");
    }
    return s.append(message).toString();
  }
}
