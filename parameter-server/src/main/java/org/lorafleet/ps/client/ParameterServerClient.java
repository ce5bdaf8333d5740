package org.lorafleet.ps.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.HeartbeatReply;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.snapshot.ServerSnapshot;

/**
 * A connection to the parameter server of one job. Every method is a blocking call that returns
 * when the server has answered; failures throw {@link org.lorafleet.ps.api.PsException} with a
 * status and a {@link org.lorafleet.ps.api.Refusal} reason. Implementations are thread-safe.
 *
 * <p>A worker's loop in sync mode: {@code register(id)}, then for each step s: {@code
 * pullAtLeast(id, s, timeout)} (version s, once every worker pushed step s − 1), compute, {@code
 * pushGradients(id, s, …)}; after the last step, {@code awaitVersion(id, s + 1, timeout)}.
 */
public interface ParameterServerClient extends AutoCloseable {

  /** Registers (or re-registers) a worker; it rejoins at the returned current version. */
  Registration register(String workerId);

  /** The current version in full (fresh arrays, the job's tensor order). */
  VersionedTensors pull();

  /**
   * Pushes gradient sums over tokens (sync: for {@code step} = the version they were computed on;
   * async: {@code step} = that base version). The arrays are not modified and may be reused after
   * the call. A retry of the same (worker, step) while pending answers {@code duplicate = true}.
   */
  PushAck pushGradients(String workerId, long step, Map<String, FloatTensor> gradSums, double lossSum, long tokens);

  /** Pushes weight deltas after a local-sgd round that started from version {@code round}. */
  PushAck pushDeltas(String workerId, long round, Map<String, FloatTensor> deltas, double lossSum, long tokens);

  /**
   * Blocks until the version is at least {@code minVersion} and returns it with the outcome of the
   * update that published it; fails with DEADLINE_EXCEEDED (the step failed, or {@code timeout}
   * passed), FAILED_PRECONDITION (the worker must register again) or ABORTED (state restored).
   *
   * @param workerId the waiting worker, or null (e.g. the driver)
   */
  VersionStatus awaitVersion(String workerId, long minVersion, Duration timeout);

  /**
   * Waits as {@link #awaitVersion} does, then returns the version in full as {@link #pull} does (it
   * may be later than {@code minVersion}): one call where a worker would otherwise make two, e.g. to
   * start step s + 1 after pushing step s. Fails as {@code awaitVersion} does.
   */
  default VersionedTensors pullAtLeast(String workerId, long minVersion, Duration timeout) {
    awaitVersion(workerId, minVersion, timeout);
    return pull();
  }

  /** The current version without tensors (does not block on other workers). */
  default VersionStatus status() {
    return awaitVersion(null, 0, Duration.ZERO);
  }

  /** Tells the server the worker is alive; fails if it must register again. */
  HeartbeatReply heartbeat(String workerId);

  /** Outcomes of applied steps from {@code fromStep} on (the server keeps the last 100 000). */
  List<StepOutcome> outcomes(long fromStep);

  /** A consistent cut of the server's state, for a checkpoint. */
  ServerSnapshot snapshot();

  /** Replaces the server's state by {@code snapshot}; workers must register again afterwards. */
  void restore(ServerSnapshot snapshot);

  PsMetrics metrics();

  /** Releases the connection (the server keeps running). */
  @Override
  void close();
}
