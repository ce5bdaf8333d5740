package org.lorafleet.orchestrator.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a YAML scalar means as a config value, before any error is reported: YAML 1.1 may give a quoted
 * {@code '8'} as text and {@code 1e3} as a float, and a job file means the same number either way. Each
 * method returns null when the value has no such meaning; {@link ConfigNode} then reports it at its line.
 */
final class Scalars {

  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private Scalars() {}

  /** An integral number, a float without a fraction (below 1e15), or digits as text; else null. */
  static Long integer(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? v.longValue() : null;
    }
    if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 1e15) {
      return (long) v.doubleValue();
    }
    if (v.isTextual() && INTEGER.matcher(v.textValue().trim()).matches()) {
      try {
        return Long.parseLong(v.textValue().trim());
      } catch (NumberFormatException tooLong) {
        return null;
      }
    }
    return null;
  }

  /** A number, or a decimal written as text; else null. */
  static Double number(JsonNode v) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual() && DECIMAL.matcher(v.textValue().trim()).matches()) {
      return Double.parseDouble(v.textValue().trim());
    }
    return null;
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} ({@link Durations}) or whole seconds; else null. */
  static Duration duration(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0) {
      return Duration.ofSeconds(v.longValue());
    }
    return v.isTextual() ? Durations.parse(v.textValue()) : null;
  }
}
