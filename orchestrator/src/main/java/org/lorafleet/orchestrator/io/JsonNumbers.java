package org.lorafleet.orchestrator.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Numbers in the JSON files runs write: JSON has no NaN or infinity, so those are written as null. */
public final class JsonNumbers {

  private JsonNumbers() {}

  /** Puts {@code v}, or JSON null when it is not finite. */
  public static void put(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  /** The number in {@code n}, or NaN for null, a missing node or a non-number. */
  public static double read(JsonNode n) {
    return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
  }
}
