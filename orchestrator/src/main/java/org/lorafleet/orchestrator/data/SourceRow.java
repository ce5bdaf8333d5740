package org.lorafleet.orchestrator.data;

import java.io.Serializable;

/**
 * One input row before formatting.
 *
 * @param fileIdx position of its file in the resolved file list
 * @param line    1-based line (JSON lines, text) or row (Parquet) in that file
 * @param payload the line, or the Parquet record as a JSON object
 */
record SourceRow(int fileIdx, long line, String payload) implements Serializable {
}
