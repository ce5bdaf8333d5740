package org.lorafleet.orchestrator.quality;

import java.util.List;
import java.util.Map;

/**
 * What one curation stage did to the training rows.
 *
 * @param stage    {@code exact_dedup}, {@code near_dedup}, {@code quality_filters}, {@code language},
 *                 {@code decontaminate} or {@code pii}
 * @param rowsIn   training rows that reached the stage
 * @param rowsOut  training rows after it
 * @param examples up to {@value Curation#EXAMPLES} removed rows, lowest ids first
 * @param counts   stage-specific counts (the PII kinds redacted, rows removed per decontamination
 *                 source), in report order; empty for the others
 */
public record StageReport(String stage, long rowsIn, long rowsOut, List<RemovedRow> examples,
    Map<String, Long> counts) {

  public StageReport {
    examples = List.copyOf(examples);
    counts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counts));
  }

  public long removed() {
    return rowsIn - rowsOut;
  }
}
