package org.lorafleet.orchestrator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.lorafleet.orchestrator.io.JsonNumbers;

/**
 * The curves in a trial's metrics.jsonl: training loss per step and eval loss per evaluation.
 * Unreadable lines (a run killed mid-write) are skipped.
 */
record TrialMetrics(List<Point> trainLoss, List<Point> evalLoss) {

  /** One point of a curve. */
  record Point(long step, double value) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  static TrialMetrics parse(String jsonl) {
    List<Point> train = new ArrayList<>();
    List<Point> eval = new ArrayList<>();
    if (jsonl != null) {
      for (String line : jsonl.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode n = JSON.readTree(line);
          long step = n.path("step").asLong();
          if (n.has("eval_loss")) {
            eval.add(new Point(step, JsonNumbers.read(n.get("eval_loss"))));
          } else if (n.has("loss")) {
            train.add(new Point(step, JsonNumbers.read(n.get("loss"))));
          }
        } catch (JsonProcessingException e) {
          // a torn last line of a killed run: nothing to plot
        }
      }
    }
    return new TrialMetrics(List.copyOf(train), List.copyOf(eval));
  }

  /** The last logged training loss, NaN when none. */
  double lastTrainLoss() {
    return trainLoss.isEmpty() ? Double.NaN : trainLoss.get(trainLoss.size() - 1).value();
  }
}
