package org.lorafleet.orchestrator.quality;

import java.util.Locale;

/**
 * The kinds of personal data that {@link PiiRedactor} finds, in no particular order: the redactor's own order of
 * passes is its business. {@link #ordinal()} indexes {@link PiiRedactor.Redacted#counts()}, so new kinds go at the
 * end.
 */
public enum PiiKind {
  EMAIL,
  IPV4,
  IPV6,
  PHONE,
  CREDIT_CARD;

  /** The name used in reports and metrics: the lower-case constant name, e.g. {@code "credit_card"}. */
  public String reportName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The text that replaces a match of this kind, e.g. {@code "<EMAIL>"}. No pattern of the redactor matches a
   * placeholder, so redacting a redacted text changes nothing.
   */
  public String placeholder() {
    return "<" + name() + ">";
  }
}
