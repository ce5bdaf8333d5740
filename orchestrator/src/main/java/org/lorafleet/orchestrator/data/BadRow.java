package org.lorafleet.orchestrator.data;

/** A row that cannot be used; the message is the reason (without file and line). Internal. */
final class BadRow extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BadRow(String reason) {
    super(reason, null, false, false);
  }
}
