package org.lorafleet.orchestrator.quality;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import scala.Tuple2;

/**
 * PII redaction of a whole row: every string value of a JSON row (nested ones included, keys left
 * alone) or the line of a text row goes through {@link PiiRedactor}. A row without PII keeps its
 * payload byte for byte.
 */
final class PayloadRedaction {

  static final long[] NONE = new long[PiiKind.values().length];
  private static final ObjectMapper JSON = new ObjectMapper();

  private PayloadRedaction() {
  }

  /** The row with its payload redacted, and the count of each {@link PiiKind} replaced. */
  static Tuple2<CurationRow, long[]> redact(CurationRow row) {
    long[] counts = new long[PiiKind.values().length];
    if (!row.json()) {
      String out = apply(row.payload(), counts);
      return new Tuple2<>(out.equals(row.payload()) ? row : row.withPayload(out), counts);
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(row.payload());
    } catch (JsonProcessingException e) {
      return new Tuple2<>(row, counts); // a malformed row is the encoder's to report
    }
    JsonNode out = walk(tree, counts);
    boolean changed = false;
    for (long c : counts) {
      changed |= c > 0;
    }
    if (!changed) {
      return new Tuple2<>(row, counts);
    }
    try {
      return new Tuple2<>(row.withPayload(JSON.writeValueAsString(out)), counts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not write the redacted row " + row.where() + " back as JSON.", e);
    }
  }

  private static JsonNode walk(JsonNode node, long[] counts) {
    if (node.isTextual()) {
      String s = apply(node.textValue(), counts);
      return s.equals(node.textValue()) ? node : TextNode.valueOf(s);
    }
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(walk(e.getValue(), counts));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, walk(a.get(i), counts));
      }
    }
    return node;
  }

  private static String apply(String text, long[] counts) {
    PiiRedactor.Redacted r = PiiRedactor.redact(text);
    for (PiiKind k : PiiKind.values()) {
      counts[k.ordinal()] += r.count(k);
    }
    return r.text();
  }
}
