package org.lorafleet.ps.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.HeartbeatReply;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.snapshot.ServerSnapshot;

/**
 * Calls a {@link ParameterServerCore} in the same JVM: no network, no serialisation, the same
 * rules and math as the gRPC path. Copies tensors in and out so that callers and server never
 * share arrays. The job id and token are checked once, here.
 */
public final class InProcessClient implements ParameterServerClient {

  private final ParameterServerCore core;

  /** Throws {@link org.lorafleet.ps.api.PsException} (UNAUTHENTICATED, NOT_FOUND) for wrong credentials. */
  public InProcessClient(ParameterServerCore core, String jobId, String token) {
    core.authenticate(jobId, token);
    this.core = core;
  }

  @Override
  public Registration register(String workerId) {
    return core.register(workerId);
  }

  @Override
  public VersionedTensors pull() {
    return core.readPublished(p -> {
      Map<String, FloatTensor> copy = new LinkedHashMap<>();
      p.tensors().forEach((k, t) -> copy.put(k, t.copy()));
      return new VersionedTensors(p.version(), copy, p.lastOutcome());
    });
  }

  @Override
  public PushAck pushGradients(String workerId, long step, Map<String, FloatTensor> gradSums, double lossSum,
      long tokens) {
    return core.push(UpdateKind.GRADIENT_SUMS, workerId, step, copy(gradSums), lossSum, tokens);
  }

  @Override
  public PushAck pushDeltas(String workerId, long round, Map<String, FloatTensor> deltas, double lossSum,
      long tokens) {
    return core.push(UpdateKind.WEIGHT_DELTAS, workerId, round, copy(deltas), lossSum, tokens);
  }

  @Override
  public VersionStatus awaitVersion(String workerId, long minVersion, Duration timeout) {
    return core.awaitVersion(workerId, minVersion, timeout);
  }

  @Override
  public VersionStatus status() {
    return core.status();
  }

  @Override
  public HeartbeatReply heartbeat(String workerId) {
    return core.heartbeat(workerId);
  }

  @Override
  public List<StepOutcome> outcomes(long fromStep) {
    return core.outcomes(fromStep);
  }

  @Override
  public ServerSnapshot snapshot() {
    return core.snapshot();
  }

  @Override
  public void restore(ServerSnapshot snapshot) {
    core.restore(snapshot.deepCopy());
  }

  @Override
  public PsMetrics metrics() {
    return core.metrics();
  }

  /** Does nothing: the core belongs to whoever created it. */
  @Override
  public void close() {}

  private static Map<String, FloatTensor> copy(Map<String, FloatTensor> m) {
    Map<String, FloatTensor> c = new LinkedHashMap<>();
    m.forEach((k, t) -> c.put(k, t.copy()));
    return c;
  }
}
