package org.lorafleet.orchestrator.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import org.lorafleet.orchestrator.io.JsonNumbers;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What is known about one trial: its values, where it stands and how it did. Kept in the sweep's
 * state file, so an interrupted sweep knows what not to rerun.
 *
 * @param status where it stands
 * @param metric the sweep's metric at the trial's last step, NaN until one is measured
 * @param steps steps reached; {@code plannedSteps} the trial's whole schedule (0 until known)
 * @param seconds wall time spent on the trial, over all its runs
 * @param error why it failed, or null
 * @param rungs the metric at each early-stopping rung reached, in order
 */
record TrialRecord(String id, Map<String, String> params, Status status, double metric, long steps,
    long plannedSteps, double seconds, String error, List<Rung> rungs, String outputDir) {

  /** A trial's state; the last three are final. */
  enum Status {
    PENDING, RUNNING, COMPLETED, STOPPED, FAILED;

    String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean finished() {
      return this == COMPLETED || this == STOPPED || this == FAILED;
    }
  }

  /** The metric at one rung's step. */
  record Rung(long step, double metric) {}

  TrialRecord {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    rungs = List.copyOf(rungs);
  }

  static TrialRecord pending(TrialSpec t, String outputDir) {
    return new TrialRecord(t.id(), t.params(), Status.PENDING, Double.NaN, 0, 0, 0, null, List.of(), outputDir);
  }

  TrialRecord with(Status s, double metric, long steps, long planned, double moreSeconds, String error) {
    return new TrialRecord(id, params, s, metric, steps, planned, seconds + moreSeconds, error, rungs, outputDir);
  }

  TrialRecord withRung(Rung r) {
    List<Rung> rs = new ArrayList<>(rungs);
    rs.add(r);
    return new TrialRecord(id, params, status, r.metric(), r.step(), plannedSteps, seconds, error, rs, outputDir);
  }

  ObjectNode toJson(ObjectNode o) {
    o.put("trial", id);
    ObjectNode p = o.putObject("params");
    params.forEach(p::put);
    o.put("status", status.yamlName());
    JsonNumbers.put(o, "metric", metric);
    o.put("steps", steps);
    o.put("planned_steps", plannedSteps);
    o.put("seconds", Math.round(seconds * 10) / 10.0);
    o.put("error", error);
    var rs = o.putArray("rungs");
    rungs.forEach(r -> JsonNumbers.put(rs.addObject().put("step", r.step()), "metric", r.metric()));
    o.put("output_dir", outputDir);
    return o;
  }

  static TrialRecord fromJson(JsonNode o) {
    Map<String, String> params = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.path("params").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      params.put(e.getKey(), e.getValue().asText());
    }
    List<Rung> rungs = new ArrayList<>();
    o.path("rungs").forEach(r -> rungs.add(new Rung(r.path("step").asLong(), JsonNumbers.read(r.get("metric")))));
    return new TrialRecord(o.path("trial").asText(), params,
        Status.valueOf(o.path("status").asText().toUpperCase(Locale.ROOT)), JsonNumbers.read(o.get("metric")),
        o.path("steps").asLong(), o.path("planned_steps").asLong(), o.path("seconds").asDouble(),
        o.path("error").isTextual() ? o.path("error").asText() : null, rungs, o.path("output_dir").asText());
  }

}
