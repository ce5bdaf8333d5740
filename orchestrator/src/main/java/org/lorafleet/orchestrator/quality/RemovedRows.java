package org.lorafleet.orchestrator.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;

/**
 * Writes removed rows ({@code data.quality.keep_removed}) as JSON lines, lowest id first: one object
 * per row with {@code where}, {@code stage}, {@code reason} and {@code row} (the row as read).
 */
public final class RemovedRows {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RemovedRows() {
  }

  /** Writes the rows as a folder of part files at {@code location}, which must not exist. Blocks. */
  public static void write(JavaRDD<RemovedRow> rows, String location) {
    rows.sortBy(RemovedRow::id, true, Math.max(1, rows.getNumPartitions()))
        .map(r -> {
          ObjectNode o = JSON.createObjectNode();
          o.put("where", r.where());
          o.put("stage", r.stage());
          o.put("reason", r.reason());
          o.put("row", r.payload());
          return JSON.writeValueAsString(o);
        })
        .saveAsTextFile(location);
  }
}
