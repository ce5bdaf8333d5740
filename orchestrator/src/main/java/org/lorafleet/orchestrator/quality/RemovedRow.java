package org.lorafleet.orchestrator.quality;

import java.io.Serializable;

/**
 * A training row a stage removed, and why.
 *
 * @param id      the row's stable id ({@link CurationRow#id})
 * @param where   {@code "file:line"}
 * @param stage   the stage's report name ({@code exact_dedup}, {@code near_dedup}, ...)
 * @param reason  a short sentence, e.g. "exact duplicate of data.jsonl:3"
 * @param payload the row as read
 */
public record RemovedRow(long id, String where, String stage, String reason, String payload) implements Serializable {

  static RemovedRow of(CurationRow r, String stage, String reason) {
    return new RemovedRow(r.id(), r.where(), stage, reason, r.payload());
  }
}
