package org.lorafleet.ps.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.lorafleet.ps.api.StepOutcome;

/**
 * The steps a server applied (all of them, so tests and operators can check none was applied
 * twice) and the outcomes of the most recent ones. Not thread-safe: guarded by the server's lock.
 */
final class StepLog {

  static final int OUTCOME_HISTORY = 100_000;

  private final List<Long> applied = new ArrayList<>();
  private final ArrayDeque<StepOutcome> outcomes = new ArrayDeque<>();

  void add(StepOutcome o) {
    applied.add(o.step());
    outcomes.addLast(o);
    if (outcomes.size() > OUTCOME_HISTORY) {
      outcomes.removeFirst();
    }
  }

  /** Forgets steps at or after {@code version} (a restore rolled them back). */
  void truncate(long version) {
    applied.removeIf(s -> s >= version);
    outcomes.removeIf(o -> o.step() >= version);
  }

  List<Long> applied() {
    return List.copyOf(applied);
  }

  List<StepOutcome> since(long fromStep) {
    List<StepOutcome> out = new ArrayList<>();
    for (StepOutcome o : outcomes) {
      if (o.step() >= fromStep) {
        out.add(o);
      }
    }
    return out;
  }
}
