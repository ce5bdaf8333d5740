package org.lorafleet.ps.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.Aggregation;

/**
 * The pushes held for the current sync step or local-sgd round, keyed and combined in ascending
 * worker-id order so the result does not depend on arrival order. Not thread-safe: guarded by the
 * server's lock.
 */
final class StepRound {

  /** One worker's push. */
  record Push(Map<String, FloatTensor> tensors, double lossSum, long tokens) {}

  /** What combining the pushes produced. */
  record Combined(double lossSum, long tokens, double gradNorm, double lr, int workers) {}

  private final TreeMap<String, Push> pushes = new TreeMap<>();
  private long id;
  private ScheduledFuture<?> timer;

  /** Identifies the round in progress; changes whenever a round completes, fails or is dropped. */
  long id() {
    return id;
  }

  boolean contains(String worker) {
    return pushes.containsKey(worker);
  }

  /** Adds a push; true if it is the round's first (the caller then starts the timer). */
  boolean add(String worker, Push p) {
    pushes.put(worker, p);
    return pushes.size() == 1;
  }

  void setTimer(ScheduledFuture<?> t) {
    timer = t;
  }

  int size() {
    return pushes.size();
  }

  boolean isEmpty() {
    return pushes.isEmpty();
  }

  Set<String> workers() {
    return Set.copyOf(pushes.keySet());
  }

  /** The tensors of the held pushes. */
  List<Map<String, FloatTensor>> pushedTensors() {
    List<Map<String, FloatTensor>> out = new ArrayList<>();
    pushes.values().forEach(p -> out.add(p.tensors()));
    return out;
  }

  /** Sorted worker ids, for messages. */
  List<String> sortedWorkers() {
    return new ArrayList<>(pushes.keySet());
  }

  /** Forgets the pushes and cancels the timer; starts a new round id. */
  void reset() {
    pushes.clear();
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    id++;
  }

  /**
   * sync: Σ gradient sums (worker-id order) / Σ tokens, clipped, one AdamW step from {@code params}
   * (read only) into {@code into} via {@link MeanGradientStep} — the same arithmetic single-process
   * training runs. Overwrites the first push's arrays with the total (the server owns them).
   */
  MeanGradientStep.Outcome applySync(AdamW optimizer, Map<String, FloatTensor> params, double lr, double maxGradNorm,
      Map<String, FloatTensor> into) {
    long tokens = pushes.values().stream().mapToLong(Push::tokens).sum();
    return MeanGradientStep.applyInto(optimizer, params, pushedTensors(), tokens, lr, maxGradNorm, into);
  }

  /** Σ loss sums and Σ tokens of the held pushes, in worker-id order. */
  Combined totals(double gradNorm, double lr) {
    double lossSum = 0;
    long tokens = 0;
    for (Push p : pushes.values()) {
      lossSum += p.lossSum();
      tokens += p.tokens();
    }
    return new Combined(lossSum, tokens, gradNorm, lr, pushes.size());
  }

  /** local-sgd: token-weighted average of the deltas into {@code working} ({@link DeltaAveraging}). */
  Combined applyDeltas(Map<String, FloatTensor> working, Aggregation aggregation) {
    List<DeltaAveraging.Contribution> cs = new ArrayList<>();
    double lossSum = 0;
    long tokens = 0;
    for (Push p : pushes.values()) {
      cs.add(new DeltaAveraging.Contribution(p.tensors(), p.tokens()));
      lossSum += p.lossSum();
      tokens += p.tokens();
    }
    DeltaAveraging.apply(working, cs, aggregation);
    return new Combined(lossSum, tokens, Double.NaN, Double.NaN, pushes.size());
  }
}
