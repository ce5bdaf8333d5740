package org.lorafleet.ps.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.api.VersionStatus;

/**
 * The update path of a server, from an admitted push to a published version: async applies each
 * push at once; sync and local-sgd hold the pushes of the step (round) in progress, apply them when
 * every expected worker pushed, and fail the round when its timeout passes first. Then the
 * bookkeeping of a publication: metrics, waiters, listeners.
 *
 * <p>Thread-safety: not thread-safe; every method runs under the server's lock, which the caller
 * holds ({@link #admit} and {@link #accept} only on an open server). The one exception is the round
 * timer's task, which runs on the server's timer thread and takes that lock itself. Never waits
 * for other workers (a push that completes a round runs the update in the calling thread); the
 * futures of waiters a publication reaches are completed by the caller's {@code after} list, once
 * it released the lock.
 */
final class UpdateApplier {

  // Logged under the core's name, which is what operators configure.
  private static final System.Logger LOG = System.getLogger(ParameterServerCore.class.getName());

  private final ServerJobSpec config;
  private final Map<String, TensorSpec> specs;
  private final MetricsRecorder metrics;
  private final ArrayPool arrays;
  private final ScheduledExecutorService scheduler;
  private final StepListeners listeners;
  private final ReentrantLock lock;
  private final BooleanSupplier closed;

  // Guarded by lock.
  private final ModelState model;
  private final WorkerRegistry workers;
  private final StepRound pending;
  private final VersionWaiters waiters;
  private String lastFailure = "";

  /**
   * Shares the server's state; {@code lock} is the server's lock and {@code closed} tells, under it,
   * whether the server was closed.
   */
  UpdateApplier(ServerJobSpec config, Map<String, TensorSpec> specs, ModelState model, WorkerRegistry workers,
      StepRound pending, VersionWaiters waiters, MetricsRecorder metrics, ArrayPool arrays,
      ScheduledExecutorService scheduler, StepListeners listeners, ReentrantLock lock, BooleanSupplier closed) {
    this.config = config;
    this.specs = specs;
    this.model = model;
    this.workers = workers;
    this.pending = pending;
    this.waiters = waiters;
    this.metrics = metrics;
    this.arrays = arrays;
    this.scheduler = scheduler;
    this.listeners = listeners;
    this.lock = lock;
    this.closed = closed;
  }

  /** Why the last sync step or local-sgd round failed, or "" if none did. Under the lock. */
  String lastFailure() {
    return lastFailure;
  }

  /**
   * Throws the refusal for a push that must not be taken; true for a duplicate (see {@link
   * Admission#check}). Under the lock.
   */
  boolean admit(UpdateKind kind, String workerId, long step) {
    return Admission.check(config, workers, model.version(), pending, kind, workerId, step);
  }

  /**
   * Takes a validated push (and ownership of its arrays): holds it for the round in progress, or
   * applies it, and the round once complete, in the calling thread. Refusals throw {@link
   * PsException} and leave the state untouched. Under the lock; adds to {@code after} what the
   * caller must run once it released the lock.
   */
  PushAck accept(UpdateKind kind, String workerId, long step, Map<String, FloatTensor> tensors, double lossSum,
      long tokens, List<Runnable> after) {
    WorkerRegistry.Worker w = workers.find(workerId);
    if (admit(kind, workerId, step)) {
      metrics.pushesDuplicate.incrementAndGet();
      arrays.give(tensors);
      return new PushAck(step, true, false, model.version(), pending.size());
    }
    metrics.pushesAccepted.incrementAndGet();
    w.lastPushedStep = step;
    StepRound.Push p = new StepRound.Push(ordered(tensors), lossSum, tokens);
    if (config.mode() == UpdateMode.ASYNC) {
      w.lastAppliedStep = model.version();
      afterPublish(model.applyAsync(p), after);
      arrays.give(p.tensors());
      return new PushAck(step, false, true, model.version(), 0);
    }
    if (pending.add(workerId, p)) {
      long id = pending.id();
      pending.setTimer(scheduler.schedule(() -> expireRound(id), config.stepTimeout().toNanos(),
          TimeUnit.NANOSECONDS));
    }
    boolean complete = pending.size() >= config.expectedWorkers();
    if (complete) {
      applyRound(after);
    }
    return new PushAck(step, false, complete, model.version(), pending.size());
  }

  /** The round timer's task, on the timer thread: fails round {@code id} if it is still in progress. */
  private void expireRound(long id) {
    List<VersionWaiters.Waiter> failed;
    String msg;
    lock.lock();
    try {
      if (closed.getAsBoolean() || id != pending.id() || pending.isEmpty()) {
        return;
      }
      long step = model.version();
      msg = Admission.failureMessage(config, workers, pending, step);
      lastFailure = msg;
      metrics.stepsFailed.incrementAndGet();
      pending.reset();
      workers.invalidateAll(msg);
      failed = waiters.takeAll();
    } finally {
      lock.unlock();
    }
    LOG.log(System.Logger.Level.WARNING, msg);
    VersionWaiters.fail(failed, new PsException(Refusal.STEP_TIMEOUT, msg));
  }

  private void applyRound(List<Runnable> after) {
    StepOutcome out = model.applyRound(pending);
    for (String id : pending.workers()) {
      workers.find(id).lastAppliedStep = out.step();
    }
    pending.pushedTensors().forEach(arrays::give); // applied: nothing refers to them any more
    pending.reset();
    afterPublish(out, after);
  }

  /** Bookkeeping after an update was published: metrics, waiters, listeners. */
  private void afterPublish(StepOutcome out, List<Runnable> after) {
    metrics.stepsApplied.incrementAndGet();
    metrics.applyMillis.add(out.applyMillis());
    List<VersionWaiters.Waiter> reached = waiters.takeReached(out.version());
    VersionStatus status = new VersionStatus(out.version(), out);
    after.add(() -> VersionWaiters.complete(reached, status));
    listeners.publish(out);
  }

  /** The pushed tensors in the job's canonical order. */
  private Map<String, FloatTensor> ordered(Map<String, FloatTensor> tensors) {
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    for (String name : specs.keySet()) {
      m.put(name, tensors.get(name));
    }
    return m;
  }
}
