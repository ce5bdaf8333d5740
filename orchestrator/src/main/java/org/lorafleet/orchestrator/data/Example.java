package org.lorafleet.orchestrator.data;

import java.io.Serializable;

/**
 * One input row after formatting and tokenizing: kept (ids and labels, truncated to max_seq_len),
 * bad (with a reason) or dropped (nothing left to train on).
 *
 * @param trainable labels that are not -100, not counting position 0 (nothing predicts it)
 */
record Example(int fileIdx, long line, boolean eval, Status status, String reason, long[] ids, long[] labels,
    boolean truncated, int trainable) implements Serializable {

  enum Status { KEPT, BAD, DROPPED }

  static Example bad(SourceRow row, boolean eval, String reason) {
    return new Example(row.fileIdx(), row.line(), eval, Status.BAD, reason, null, null, false, 0);
  }

  boolean kept() {
    return status == Status.KEPT;
  }

  /** File order: by file index, then line. */
  static int compareByPosition(Example a, Example b) {
    int c = Integer.compare(a.fileIdx, b.fileIdx);
    return c != 0 ? c : Long.compare(a.line, b.line);
  }
}
