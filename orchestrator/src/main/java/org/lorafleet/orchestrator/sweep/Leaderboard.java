package org.lorafleet.orchestrator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.io.HadoopDir;

/**
 * Trials ranked: those that ran their whole schedule by the metric, then those stopped early (their
 * metric was measured after fewer steps, so it is not comparable with a full run's), then unfinished
 * ones, then failed ones. Written as {@code leaderboard.csv} and {@code leaderboard.json}.
 */
final class Leaderboard {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Leaderboard() {}

  static List<TrialRecord> rank(List<TrialRecord> trials, SweepConfig.Goal goal) {
    Comparator<TrialRecord> byMetric = (a, b) -> goal.better(a.metric(), b.metric()) ? -1
        : goal.better(b.metric(), a.metric()) ? 1 : 0;
    List<TrialRecord> out = new ArrayList<>(trials);
    out.sort(Comparator.comparingInt(Leaderboard::group).thenComparing(byMetric).thenComparing(TrialRecord::id));
    return out;
  }

  private static int group(TrialRecord r) {
    return switch (r.status()) {
      case COMPLETED -> 0;
      case STOPPED -> 1;
      case RUNNING, PENDING -> 2;
      case FAILED -> 3;
    };
  }

  /** The swept keys, in the order the trials list them. */
  static List<String> paramKeys(List<TrialRecord> trials) {
    Set<String> keys = new LinkedHashSet<>();
    trials.forEach(t -> keys.addAll(t.params().keySet()));
    return new ArrayList<>(keys);
  }

  static void write(HadoopDir dir, SweepConfig sweep, List<TrialRecord> ranked) {
    List<String> keys = paramKeys(ranked);
    StringBuilder csv = new StringBuilder("rank,trial,status,").append(sweep.metric().yamlName());
    keys.forEach(k -> csv.append(',').append(cell(k)));
    csv.append(",steps,planned_steps,seconds,error,output_dir\n");
    for (int i = 0; i < ranked.size(); i++) {
      TrialRecord r = ranked.get(i);
      csv.append(i + 1).append(',').append(r.id()).append(',').append(r.status().yamlName()).append(',')
          .append(Double.isFinite(r.metric()) ? String.format(Locale.ROOT, "%.6g", r.metric()) : "");
      keys.forEach(k -> csv.append(',').append(cell(r.params().getOrDefault(k, ""))));
      csv.append(',').append(r.steps()).append(',').append(r.plannedSteps()).append(',')
          .append(String.format(Locale.ROOT, "%.1f", r.seconds())).append(',').append(cell(r.error()))
          .append(',').append(cell(r.outputDir())).append('\n');
    }
    dir.writeText("leaderboard.csv", csv.toString());

    ObjectNode root = JSON.createObjectNode();
    root.put("sweep", sweep.name());
    root.put("metric", sweep.metric().yamlName());
    root.put("goal", sweep.goal().yamlName());
    var arr = root.putArray("trials");
    for (int i = 0; i < ranked.size(); i++) {
      ranked.get(i).toJson(arr.addObject().put("rank", i + 1));
    }
    try {
      dir.writeText("leaderboard.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode the leaderboard.", e);
    }
  }

  /** A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
  static String cell(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
