package org.lorafleet.orchestrator.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation inside record constructors: collects every failed check of one record and throws them
 * together as a {@link ConfigException} whose errors name the dotted key but no file (the loader
 * places them at the key's line).
 */
final class Checks {

  private final String section;
  private final List<ConfigError> errors = new ArrayList<>();

  /** @param section the record's section ({@code train}), or "" for top-level keys */
  Checks(String section) {
    this.section = section;
  }

  /** Records {@code message} about {@code key} (relative to the section). */
  Checks fail(String key, String message) {
    errors.add(new ConfigError(null, 0, LocatedYaml.child(section, key), message));
    return this;
  }

  boolean check(boolean ok, String key, String message) {
    if (!ok) {
      fail(key, message);
    }
    return ok;
  }

  /** Null is reported as missing, blank as empty. */
  boolean notBlank(String key, String value) {
    if (value == null) {
      fail(key, "is required");
      return false;
    }
    return check(!value.isBlank(), key, "must not be empty");
  }

  /** Null passes; an empty or blank string does not. */
  void nullOrNotBlank(String key, String value) {
    check(value == null || !value.isBlank(), key, "must not be empty (use null to leave it unset)");
  }

  void positive(String key, double value) {
    check(value > 0 && Double.isFinite(value), key, "must be > 0 (got " + num(value) + ")");
  }

  void atLeast(String key, long value, long min) {
    check(value >= min, key, "must be >= " + min + " (got " + value + ")");
  }

  void atLeast(String key, double value, double min) {
    check(value >= min && Double.isFinite(value), key, "must be >= " + num(min) + " (got " + num(value) + ")");
  }

  /** {@code lo <= value <= hi}, or {@code < hi} when {@code hiOpen}. */
  void between(String key, double value, double lo, double hi, boolean hiOpen) {
    boolean ok = value >= lo && (hiOpen ? value < hi : value <= hi);
    check(ok, key, "must be in [" + num(lo) + ", " + num(hi) + (hiOpen ? ")" : "]") + " (got " + num(value) + ")");
  }

  void between(String key, long value, long lo, long hi) {
    check(value >= lo && value <= hi, key, "must be in [" + lo + ", " + hi + "] (got " + value + ")");
  }

  /** @throws ConfigException with every failed check, if any */
  void done() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /** A number as a person would write it: {@code -1}, {@code 0.5}, {@code 0.0002}. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
