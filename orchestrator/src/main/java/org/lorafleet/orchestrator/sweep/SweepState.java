package org.lorafleet.orchestrator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.orchestrator.io.HadoopDir;

/**
 * The sweep's memory: one {@link TrialRecord} per trial, saved to {@code sweep-state.json} in the
 * sweep folder after every change (written whole, then renamed into place), so an interrupted sweep
 * resumes where it stood. Thread-safe.
 */
final class SweepState {

  static final String FILE = "sweep-state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HadoopDir dir;
  private final String name;
  private final Map<String, TrialRecord> trials = new LinkedHashMap<>();

  private SweepState(HadoopDir dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /**
   * Opens the state of {@code plan}'s sweep: the saved one if the folder has it, else all trials
   * pending. Trials that were running when the sweep stopped go back to pending (they resume from
   * their checkpoints); failed ones too when {@code retryFailed}.
   *
   * @throws IllegalArgumentException when a saved trial had other parameter values (the sweep file
   *     changed): rerunning would mix two sweeps in one folder
   */
  static SweepState open(HadoopDir dir, SweepPlan plan, boolean retryFailed, PrintStream out) {
    SweepState s = new SweepState(dir, plan.sweep().name());
    Map<String, TrialRecord> saved = s.readSaved();
    List<String> changed = new ArrayList<>();
    for (TrialSpec t : plan.trials()) {
      TrialRecord r = saved.remove(t.id());
      if (r != null && !r.params().equals(t.params())) {
        changed.add(t.id() + " ran with " + r.params() + ", the sweep file now gives " + t.params());
        continue;
      }
      if (r == null || r.status() == TrialRecord.Status.RUNNING
          || retryFailed && r.status() == TrialRecord.Status.FAILED) {
        r = r == null ? TrialRecord.pending(t, plan.trialDir(t.id()))
            : r.with(TrialRecord.Status.PENDING, r.metric(), r.steps(), r.plannedSteps(), 0, null);
      }
      s.trials.put(t.id(), r);
    }
    if (!changed.isEmpty()) {
      throw new IllegalArgumentException("The sweep folder " + dir.location(null) + " holds results of a different "
          + "sweep: " + String.join("; ", changed) + ". Use another sweep.output_dir, or delete the folder to start over.");
    }
    if (!saved.isEmpty()) {
      out.println("Note: " + saved.size() + " trial(s) recorded in " + FILE + " are no longer in the sweep file "
          + "(" + String.join(", ", saved.keySet()) + "); they are left out of the leaderboard.");
    }
    s.save();
    return s;
  }

  synchronized TrialRecord get(String id) {
    return trials.get(id);
  }

  synchronized List<TrialRecord> all() {
    return new ArrayList<>(trials.values());
  }

  /** Replaces a trial's record and saves the state. Blocks on file I/O. */
  synchronized void put(TrialRecord r) {
    trials.put(r.id(), r);
    save();
  }

  private void save() {
    ObjectNode root = JSON.createObjectNode();
    root.put("sweep", name);
    var arr = root.putArray("trials");
    trials.values().forEach(r -> r.toJson(arr.addObject()));
    try {
      dir.writeText(FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode the sweep state.", e);
    }
  }

  private Map<String, TrialRecord> readSaved() {
    Map<String, TrialRecord> out = new LinkedHashMap<>();
    String text = dir.readText(FILE);
    if (text == null) {
      return out;
    }
    try {
      JsonNode root = JSON.readTree(text);
      for (JsonNode t : root.path("trials")) {
        TrialRecord r = TrialRecord.fromJson(t);
        out.put(r.id(), r);
      }
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("The sweep state " + dir.location(FILE) + " cannot be read ("
          + e.getMessage() + "). Move it away to start the sweep over in this folder.", e);
    }
    return out;
  }
}
