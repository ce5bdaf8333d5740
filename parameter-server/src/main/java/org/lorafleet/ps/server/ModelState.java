package org.lorafleet.ps.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.optim.AdamW;
import org.lorafleet.ps.optim.MeanGradientStep;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.snapshot.WorkerProgress;
import org.lorafleet.ps.tensor.FloatTensor;

/**
 * The weights side of a server: working weights, optimizer state, the published (immutable)
 * version and the log of applied steps. Updates are applied to the working copy, then published
 * as a fresh frozen copy, so readers of a published version never see a half-applied update.
 * Not thread-safe except {@link #published()}: guarded by the server's lock.
 */
final class ModelState {

  private final JobConfig config;
  private final AdamW optimizer;
  private final Map<String, FloatTensor> working = new LinkedHashMap<>();
  private final StepLog log = new StepLog();
  private volatile PublishedVersion published;

  ModelState(JobConfig config) {
    this.config = config;
    config.initialTensors().forEach((k, t) -> working.put(k, t.copy()));
    this.optimizer = new AdamW(config.adamW());
    if (config.resumeOptimizer() != null) {
      optimizer.restore(config.resumeOptimizer());
    }
    this.published = new PublishedVersion(config.startStep(), frozenCopy(working), null);
  }

  /** The current published version; safe without the lock. */
  PublishedVersion published() {
    return published;
  }

  long version() {
    return published.version();
  }

  StepLog log() {
    return log;
  }

  /** Combines the round's pushes (sync: mean gradient + AdamW; local-sgd: delta averaging) and publishes. */
  StepOutcome applyRound(StepRound round) {
    long t0 = System.nanoTime();
    long step = version();
    StepRound.Combined c = config.mode() == UpdateMode.SYNC
        ? round.applySync(optimizer, working, config.lrSchedule().lr(step), config.maxGradNorm())
        : round.applyDeltas(working, config.aggregation());
    return publish(step, c, t0);
  }

  /** async: one push is one optimizer step on its own mean gradient; publishes. */
  StepOutcome applyAsync(StepRound.Push p) {
    long t0 = System.nanoTime();
    long step = version();
    double lr = config.lrSchedule().lr(step);
    double norm = MeanGradientStep.apply(optimizer, working, p.tensors(), p.tokens(), lr, config.maxGradNorm())
        .gradNormBeforeClip();
    return publish(step, new StepRound.Combined(p.lossSum(), p.tokens(), norm, lr, 1), t0);
  }

  private StepOutcome publish(long step, StepRound.Combined c, long t0) {
    long version = version() + 1;
    Map<String, FloatTensor> frozen = frozenCopy(working);
    double ms = (System.nanoTime() - t0) / 1e6;
    StepOutcome out = new StepOutcome(step, version, c.lossSum() / c.tokens(), c.tokens(), c.gradNorm(), c.lr(),
        c.workers(), ms);
    published = new PublishedVersion(version, frozen, out);
    log.add(out);
    return out;
  }

  ServerSnapshot snapshot(Map<String, WorkerProgress> progress) {
    PublishedVersion p = published;
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    p.tensors().forEach((k, t) -> w.put(k, t.copy()));
    return new ServerSnapshot(config.jobId(), config.mode(), p.version(), w, optimizer.snapshot(), progress,
        p.lastOutcome(), System.currentTimeMillis());
  }

  /** Takes the (already checked, copied, job-ordered) weights and the snapshot's optimizer state and version. */
  void restore(Map<String, FloatTensor> weights, ServerSnapshot s) {
    working.clear();
    working.putAll(weights);
    optimizer.restore(s.optimizer());
    published = new PublishedVersion(s.version(), frozenCopy(working), s.lastOutcome());
    log.truncate(s.version());
  }

  private static Map<String, FloatTensor> frozenCopy(Map<String, FloatTensor> m) {
    Map<String, FloatTensor> c = new LinkedHashMap<>();
    m.forEach((k, t) -> c.put(k, t.copy()));
    return Collections.unmodifiableMap(c);
  }
}
