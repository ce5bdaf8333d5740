package org.lorafleet.orchestrator.quality;

import java.io.Serializable;

/**
 * One input row as the curation stages see it.
 *
 * @param id      stable row id: the file's position in the sorted input list and the row's 1-based line,
 *                so the lowest id is the earliest row in file order (the one kept of a duplicate cluster)
 * @param where   {@code "file:line"} for messages and the report
 * @param eval    an eval row: never removed or redacted, but its n-grams are decontaminated against
 * @param text    the training text the format renders (every segment, trained or not), or null when the
 *                row is blank or malformed (then it passes every stage and the encoder reports it)
 * @param payload the row as read: a JSON object, or a line of plain text
 * @param json    whether {@code payload} is a JSON object
 */
public record CurationRow(long id, String where, boolean eval, String text, String payload, boolean json)
    implements Serializable {

  /** Bits of the id that hold the line. */
  public static final int LINE_BITS = 40;

  /** The id of line {@code line} of file {@code fileIdx}. */
  public static long id(int fileIdx, long line) {
    if (line < 0 || line >= 1L << LINE_BITS) {
      throw new IllegalArgumentException("Line " + line + " is out of range for a row id (at most 2^40 rows per file).");
    }
    return ((long) fileIdx << LINE_BITS) | line;
  }

  public int fileIdx() {
    return (int) (id >>> LINE_BITS);
  }

  public long line() {
    return id & ((1L << LINE_BITS) - 1);
  }

  /** Whether the stages judge this row: a training row with a text. */
  boolean judged() {
    return !eval && text != null;
  }

  CurationRow withPayload(String newPayload) {
    return new CurationRow(id, where, eval, text, newPayload, json);
  }
}
