package org.lorafleet.ps.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.HeartbeatReply;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.auth.Role;
import org.lorafleet.ps.auth.TokenCheck;
import org.lorafleet.ps.snapshot.ServerSnapshot;

/**
 * The parameter server's state machine, independent of any transport: authoritative weights,
 * optimizer state, the update rules, registrations, waiters, snapshots. Thread-safe; one lock
 * serialises state changes, and published versions are immutable so pulls take no lock.
 *
 * <p>Versions: the server starts at version {@code startStep}. In sync and local-sgd, step (round)
 * s is computed on version s and, once every expected worker pushed it, publishes version s + 1.
 * In async every accepted push is one optimizer step and publishes the next version.
 *
 * <p>Determinism: pushes of a step are combined in ascending worker-id order (String order),
 * whatever order they arrived in, so a replay in that order gives bit-identical weights. This
 * holds one copy of every worker's update until the step completes (N × adapter size).
 *
 * <p>Blocking: only {@link #awaitVersion} blocks; every other method returns promptly (a push that
 * completes a step runs the update in the calling thread).
 */
public final class ParameterServerCore implements AutoCloseable {

  private final ServerJobSpec config;
  private final Map<String, TensorSpec> specs = new LinkedHashMap<>();
  private final TokenCheck tokens;
  private final MetricsRecorder metrics = new MetricsRecorder();
  private final ScheduledThreadPoolExecutor scheduler;
  private final ReentrantLock lock = new ReentrantLock();
  private final StepListeners listeners;
  private final ArrayPool arrays;

  // Guarded by lock.
  private final ModelState model;
  private final WorkerRegistry workers;
  private final StepRound pending = new StepRound();
  private final VersionWaiters waiters = new VersionWaiters();
  // Called under lock, they share the state above; their timer tasks take lock themselves.
  private final UpdateApplier updates;
  private final AwaitVersion awaits;
  private boolean closed;

  public ParameterServerCore(ServerJobSpec config) {
    this.config = config;
    config.initialTensors().forEach((k, t) -> specs.put(k, TensorSpec.of(k, t)));
    this.tokens = new TokenCheck(config.jobId(), config.secret());
    this.model = new ModelState(config);
    this.workers = new WorkerRegistry(config.jobId(), config.expectedWorkers());
    long adapterFloats = specs.values().stream().mapToLong(TensorSpec::numel).sum();
    this.arrays = new ArrayPool((config.expectedWorkers() + 1) * adapterFloats); // one round's pushes
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "ps-" + config.jobId() + "-timers");
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    this.listeners = new StepListeners(scheduler);
    this.updates = new UpdateApplier(config, specs, model, workers, pending, waiters, metrics, arrays, scheduler,
        listeners, lock, () -> closed);
    this.awaits = new AwaitVersion(config, model, workers, pending, waiters, scheduler, lock);
  }

  public ServerJobSpec config() {
    return config;
  }

  /** The job's tensors in canonical order. */
  public List<TensorSpec> specs() {
    return List.copyOf(specs.values());
  }

  public Map<String, TensorSpec> specMap() {
    return Collections.unmodifiableMap(specs);
  }

  /**
   * Arrays to receive pushes into: those of earlier pushes the server is done with (their content
   * is garbage). A transport that takes its arrays here hands them to {@link #push} as usual.
   */
  public ArrayPool arrays() {
    return arrays;
  }

  /** Counters the transport layer adds to (bytes, refusals it detects, cancelled pushes). */
  public MetricsRecorder recorder() {
    return metrics;
  }

  /**
   * Checks a caller's job id and token (see {@link org.lorafleet.ps.auth}): UNAUTHENTICATED for a
   * missing or wrong token (compared in constant time), NOT_FOUND for another job's id. Returns the
   * caller's role. Counts refusals. Never blocks.
   */
  public Role authenticate(String jobId, String token) {
    try {
      return tokens.check(jobId, token);
    } catch (PsException e) {
      metrics.refused(e.reason());
      throw e;
    }
  }

  /** As {@link #authenticate}, for a tensor-channel answer to {@code nonce}. */
  public Role authenticateProof(String jobId, byte[] nonce, byte[] proof) {
    try {
      return tokens.checkProof(jobId, nonce, proof);
    } catch (PsException e) {
      metrics.refused(e.reason());
      throw e;
    }
  }

  /** Registers a worker (again), so it rejoins at the current version. Never blocks. */
  public Registration register(String workerId) {
    return guarded(() -> {
      workers.register(workerId, System.nanoTime());
      return new Registration(config.jobId(), workerId, config.mode(), config.aggregation(), model.version(),
          config.expectedWorkers(), config.staleness(), specs());
    });
  }

  /**
   * The current version, without copying (do not modify its tensors); its arrays stay as they are
   * for good (the server will not recycle them). Never blocks. Transports prefer {@link #readPublished}.
   */
  public PublishedVersion published() {
    metrics.pulls.incrementAndGet();
    return model.published();
  }

  /**
   * Runs {@code reader} on the current version, e.g. to send or copy it; the arrays stay unchanged
   * until {@code reader} returns and may be recycled for a later version afterwards, so {@code
   * reader} must not keep them. Counts one pull. Does not block on updates.
   */
  public <T> T readPublished(java.util.function.Function<PublishedVersion, T> reader) {
    metrics.pulls.incrementAndGet();
    return model.readPublished(reader);
  }

  /** Current version and the outcome that published it. Never blocks. */
  public VersionStatus status() {
    PublishedVersion p = model.current();
    return new VersionStatus(p.version(), p.lastOutcome());
  }

  /** Checks a push's header before its tensors arrive, so a doomed push is refused early. */
  public void precheckPush(UpdateKind kind, String workerId, long step) {
    guarded(() -> updates.admit(kind, workerId, step));
  }

  /**
   * Pushes gradient sums (sync, async) or weight deltas (local-sgd). The server takes ownership of
   * the arrays. Refusals throw {@link PsException} and leave the state untouched. Never blocks on
   * other workers; a push that completes a step applies the update before returning.
   *
   * @param step sync: the step (= version computed on); async: the base version; local-sgd: the round
   */
  public PushAck push(UpdateKind kind, String workerId, long step, Map<String, FloatTensor> tensors, double lossSum,
      long tokens) {
    return push(kind, workerId, step, tensors, lossSum, tokens, false);
  }

  /**
   * As {@link #push(UpdateKind, String, long, Map, double, long)}; {@code valuesKnownFinite} tells
   * that the transport already checked every value while receiving it (the core then skips its own
   * scan; if the transport found a non-finite value it passes false and the core reports it).
   */
  public PushAck push(UpdateKind kind, String workerId, long step, Map<String, FloatTensor> tensors, double lossSum,
      long tokens, boolean valuesKnownFinite) {
    List<Runnable> after = new ArrayList<>();
    PushAck ack;
    try {
      UpdateValidator.validate(config.jobId(), specs, workerId, tensors, lossSum, tokens, !valuesKnownFinite);
      lock.lock();
      try {
        checkOpen();
        ack = updates.accept(kind, workerId, step, tensors, lossSum, tokens, after);
      } finally {
        lock.unlock();
      }
    } catch (PsException e) {
      metrics.refused(e.reason());
      throw e;
    }
    after.forEach(Runnable::run);
    return ack;
  }

  /**
   * Calls {@code listener} once per applied update, in step order, on a server thread (never the
   * pushing worker's), after the version is published. Listeners must not block for long. A
   * listener that throws is never ignored: no outcome is delivered after it, the failure is kept
   * ({@link #listenerFailure()}) and handed to {@link #onListenerFailure}'s handler.
   */
  public void addStepListener(Consumer<StepOutcome> listener) {
    listeners.add(listener);
  }

  /** Called once, on the listener thread, with the first listener failure (e.g. to cancel the job). */
  public void onListenerFailure(Consumer<RuntimeException> handler) {
    listeners.onFailure(handler);
  }

  /** The first exception a step listener threw (wrapped with its step), if any. */
  public java.util.Optional<RuntimeException> listenerFailure() {
    return listeners.failure();
  }

  /**
   * Completes when the version reaches {@code minVersion}; fails with STEP_TIMEOUT if the step in
   * progress fails, AWAIT_TIMEOUT after {@code timeout}, REGISTRATION_STALE at once if {@code
   * workerId} (nullable) must register again, RESTORED or SHUT_DOWN. Never blocks.
   */
  public CompletableFuture<VersionStatus> awaitVersionAsync(String workerId, long minVersion, Duration timeout) {
    lock.lock();
    try {
      checkOpen();
      return awaits.start(workerId, minVersion, timeout);
    } catch (PsException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  /** Blocks until the version reaches {@code minVersion}, with the failures of {@link #awaitVersionAsync}. */
  public VersionStatus awaitVersion(String workerId, long minVersion, Duration timeout) {
    return VersionWaiters.block(awaitVersionAsync(workerId, minVersion, timeout), minVersion);
  }

  /** Records a sign of life; tells a worker whose registration went stale. Never blocks. */
  public HeartbeatReply heartbeat(String workerId) {
    return guarded(() -> {
      workers.require(workerId, System.nanoTime());
      return new HeartbeatReply(model.version(), pending.size());
    });
  }

  /** Outcomes of applied updates with step ≥ {@code fromStep} (the last 100 000 are kept). */
  public List<StepOutcome> outcomes(long fromStep) {
    return read(() -> model.log().since(fromStep));
  }

  /** Steps applied by this server in order (a restore drops those at or after the restored version). */
  public List<Long> appliedSteps() {
    return read(() -> model.log().applied());
  }

  /** Workers whose push for the current step is held. */
  public Set<String> pendingWorkers() {
    return read(pending::workers);
  }

  /** A consistent cut between two updates; deep copies. Never blocks on workers. */
  public ServerSnapshot snapshot() {
    return read(() -> model.snapshot(workers.progress()));
  }

  /**
   * Replaces the state by {@code snapshot} (same tensor names and shapes; the job id and mode may
   * differ, e.g. when a new run resumes a checkpoint). The step in progress is dropped, every
   * worker must register again, waiters for later versions fail with RESTORED.
   */
  public void restore(ServerSnapshot snapshot) {
    List<Runnable> after = new ArrayList<>();
    try {
      Map<String, FloatTensor> w = SnapshotChecks.weightsFor(config.jobId(), specs, snapshot);
      long v = snapshot.version();
      lock.lock();
      try {
        checkOpen();
        model.restore(w, snapshot);
        pending.reset();
        workers.restoreProgress(snapshot.workers(), "The server was restored to version " + v + ".");
        List<VersionWaiters.Waiter> reached = waiters.takeReached(v);
        List<VersionWaiters.Waiter> rest = waiters.takeAll();
        VersionStatus st = status();
        after.add(() -> VersionWaiters.complete(reached, st));
        after.add(() -> VersionWaiters.fail(rest, new PsException(Refusal.RESTORED,
            "While waiting, the server was restored to version " + v + ".")));
      } finally {
        lock.unlock();
      }
    } catch (PsException e) {
      metrics.refused(e.reason());
      throw e;
    }
    after.forEach(Runnable::run);
  }

  public PsMetrics metrics() {
    return read(() -> new PsMetrics(model.version(), metrics.stepsApplied.get(), metrics.stepsFailed.get(),
        metrics.pushesAccepted.get(), metrics.pushesDuplicate.get(), metrics.pushesCancelled.get(),
        metrics.pulls.get(), metrics.bytesReceived.get(), metrics.bytesSent.get(), metrics.refusalCounts(),
        workers.currentIds().size(), pending.size(), updates.lastFailure(), metrics.applyMillis.sum()));
  }

  /** Stops timers and fails every waiter with SHUT_DOWN; later calls are refused. */
  @Override
  public void close() {
    List<VersionWaiters.Waiter> ws;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      ws = waiters.takeAll();
      pending.reset();
    } finally {
      lock.unlock();
    }
    VersionWaiters.fail(ws, new PsException(Refusal.SHUT_DOWN, "The parameter server of job '" + config.jobId()
        + "' shut down."));
    scheduler.shutdownNow();
  }

  /** Runs {@code body} under the lock on an open server, counting its refusals. */
  private <T> T guarded(java.util.function.Supplier<T> body) {
    lock.lock();
    try {
      checkOpen();
      return body.get();
    } catch (PsException e) {
      metrics.refused(e.reason());
      throw e;
    } finally {
      lock.unlock();
    }
  }

  private <T> T read(java.util.function.Supplier<T> body) {
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new PsException(Refusal.SHUT_DOWN, "The parameter server of job '" + config.jobId() + "' is shut down.");
    }
  }
}
