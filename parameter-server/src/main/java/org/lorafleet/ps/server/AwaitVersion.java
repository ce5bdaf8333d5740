package org.lorafleet.ps.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.VersionStatus;

/**
 * How a wait for a version starts and times out: answered at once when the version is already
 * published or the worker must register again, else held in {@link VersionWaiters} (completed by a
 * publication, failed by a failed step, a restore or shutdown) until its own timeout fails it with
 * AWAIT_TIMEOUT. Never blocks. Not thread-safe: {@link #start} runs under the server's lock, which
 * the caller holds and has checked the server open under; the timeout task runs on the server's
 * timer thread and takes that lock itself, completing the future after releasing it.
 */
final class AwaitVersion {

  private final ServerJobSpec config;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock lock;

  // Guarded by lock.
  private final ModelState model;
  private final WorkerRegistry workers;
  private final StepRound pending;
  private final VersionWaiters waiters;

  /** Shares the server's state; {@code lock} is the server's lock. */
  AwaitVersion(ServerJobSpec config, ModelState model, WorkerRegistry workers, StepRound pending,
      VersionWaiters waiters, ScheduledExecutorService scheduler, ReentrantLock lock) {
    this.config = config;
    this.model = model;
    this.workers = workers;
    this.pending = pending;
    this.waiters = waiters;
    this.scheduler = scheduler;
    this.lock = lock;
  }

  /**
   * A future completed when the version reaches {@code minVersion} (failures: see {@link
   * ParameterServerCore#awaitVersionAsync}); {@code workerId} is nullable. Under the lock.
   */
  CompletableFuture<VersionStatus> start(String workerId, long minVersion, Duration timeout) {
    PublishedVersion p = model.current();
    if (p.version() >= minVersion) {
      return CompletableFuture.completedFuture(new VersionStatus(p.version(), p.lastOutcome()));
    }
    WorkerRegistry.Worker w = workers.find(workerId);
    if (w != null && workers.isStale(w)) {
      return CompletableFuture.failedFuture(new PsException(Refusal.REGISTRATION_STALE, "Worker '" + workerId
          + "' must register again: " + workers.staleReason()));
    }
    VersionWaiters.Waiter wt = waiters.add(minVersion);
    wt.timer = scheduler.schedule(() -> timeoutWaiter(wt, timeout), Math.max(0, timeout.toNanos()),
        TimeUnit.NANOSECONDS);
    return wt.future;
  }

  /** The wait's timeout task, on the timer thread: fails the wait unless it was already taken. */
  private void timeoutWaiter(VersionWaiters.Waiter wt, Duration timeout) {
    String msg;
    lock.lock();
    try {
      if (!waiters.remove(wt)) {
        return;
      }
      msg = "Version " + wt.minVersion + " was not published within " + timeout.toMillis() + " ms (current version "
          + model.version() + ", " + pending.size() + " of " + config.expectedWorkers()
          + " workers pushed the current step: " + pending.sortedWorkers() + ").";
    } finally {
      lock.unlock();
    }
    wt.future.completeExceptionally(new PsException(Refusal.AWAIT_TIMEOUT, msg));
  }
}
