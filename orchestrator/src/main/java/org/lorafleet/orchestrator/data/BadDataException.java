package org.lorafleet.orchestrator.data;

/**
 * Thrown with {@code bad_rows: fail}: the message is {@code "file:line: reason"} (or
 * {@code "file:row N: reason"} for Parquet) of the first bad row in file order.
 */
public final class BadDataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BadDataException(String message) {
    super(message);
  }
}
