package org.lorafleet.orchestrator.config;

import java.util.List;

/**
 * A configuration is invalid. Carries every problem found, not just the first, so a user fixes them
 * all in one go; {@link #getMessage()} lists them one per line.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigError> errors;

  /** @param errors at least one error, in the order they should be shown */
  public ConfigException(List<ConfigError> errors) {
    super(message(errors));
    this.errors = List.copyOf(errors);
  }

  public ConfigException(ConfigError error) {
    this(List.of(error));
  }

  /** Every problem found, in the order shown in the message. */
  public List<ConfigError> errors() {
    return errors;
  }

  private static String message(List<ConfigError> errors) {
    if (errors == null || errors.isEmpty()) {
      throw new IllegalArgumentException("A ConfigException needs at least one error.");
    }
    StringBuilder s = new StringBuilder("The configuration has ").append(errors.size())
        .append(errors.size() == 1 ? " error:" : " errors:");
    for (ConfigError e : errors) {
      s.append('\n').append(e);
    }
    return s.toString();
  }
}
