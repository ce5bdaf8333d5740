package org.lorafleet.ps.rpc;

import java.util.ArrayList;
import java.util.List;
import org.lorafleet.ps.api.Aggregation;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.rpc.proto.MetricsReply;
import org.lorafleet.ps.rpc.proto.RegisterReply;
import org.lorafleet.ps.rpc.proto.StepOutcomeMessage;
import org.lorafleet.ps.rpc.proto.TensorSpecMessage;
import org.lorafleet.ps.rpc.proto.VersionStatusMessage;

/** Conversions between the {@code api} values and their protobuf messages. Pure functions. */
public final class ProtoMapping {

  private ProtoMapping() {}

  public static StepOutcomeMessage toProto(StepOutcome o) {
    return StepOutcomeMessage.newBuilder().setStep(o.step()).setVersion(o.version()).setMeanLoss(o.meanLoss())
        .setTokens(o.tokens()).setGradNorm(o.gradNormBeforeClip()).setLr(o.lr()).setWorkers(o.workers())
        .setApplyMillis(o.applyMillis()).build();
  }

  public static StepOutcome fromProto(StepOutcomeMessage m) {
    return new StepOutcome(m.getStep(), m.getVersion(), m.getMeanLoss(), m.getTokens(), m.getGradNorm(), m.getLr(),
        m.getWorkers(), m.getApplyMillis());
  }

  public static TensorSpecMessage toProto(TensorSpec s) {
    TensorSpecMessage.Builder b = TensorSpecMessage.newBuilder().setName(s.name());
    for (long d : s.shape()) {
      b.addShape(d);
    }
    return b.build();
  }

  public static TensorSpec fromProto(TensorSpecMessage m) {
    return new TensorSpec(m.getName(), m.getShapeList().stream().mapToLong(Long::longValue).toArray());
  }

  public static RegisterReply toProto(Registration r) {
    RegisterReply.Builder b = RegisterReply.newBuilder().setJobId(r.jobId()).setWorkerId(r.workerId())
        .setMode(r.mode().name()).setAggregation(r.aggregation().name()).setVersion(r.version())
        .setExpectedWorkers(r.expectedWorkers()).setStaleness(r.staleness());
    r.tensors().forEach(t -> b.addTensors(toProto(t)));
    return b.build();
  }

  public static Registration fromProto(RegisterReply m) {
    List<TensorSpec> specs = new ArrayList<>();
    m.getTensorsList().forEach(t -> specs.add(fromProto(t)));
    return new Registration(m.getJobId(), m.getWorkerId(), UpdateMode.valueOf(m.getMode()),
        Aggregation.valueOf(m.getAggregation()), m.getVersion(), m.getExpectedWorkers(), m.getStaleness(), specs);
  }

  public static VersionStatusMessage toProto(VersionStatus s) {
    VersionStatusMessage.Builder b = VersionStatusMessage.newBuilder().setVersion(s.version());
    if (s.lastOutcome() != null) {
      b.setLastOutcome(toProto(s.lastOutcome())).setHasOutcome(true);
    }
    return b.build();
  }

  public static VersionStatus fromProto(VersionStatusMessage m) {
    return new VersionStatus(m.getVersion(), m.getHasOutcome() ? fromProto(m.getLastOutcome()) : null);
  }

  public static MetricsReply toProto(PsMetrics m) {
    return MetricsReply.newBuilder().setVersion(m.version()).setStepsApplied(m.stepsApplied())
        .setStepsFailed(m.stepsFailed()).setPushesAccepted(m.pushesAccepted()).setPushesDuplicate(m.pushesDuplicate())
        .setPushesCancelled(m.pushesCancelled()).setPulls(m.pulls()).setBytesReceived(m.bytesReceived())
        .setBytesSent(m.bytesSent()).putAllRefusals(m.refusals()).setRegisteredWorkers(m.registeredWorkers())
        .setPendingWorkers(m.pendingWorkers()).setLastFailure(m.lastFailure()).setApplyMillisTotal(m.applyMillisTotal())
        .build();
  }

  public static PsMetrics fromProto(MetricsReply m) {
    return new PsMetrics(m.getVersion(), m.getStepsApplied(), m.getStepsFailed(), m.getPushesAccepted(),
        m.getPushesDuplicate(), m.getPushesCancelled(), m.getPulls(), m.getBytesReceived(), m.getBytesSent(),
        m.getRefusalsMap(), m.getRegisteredWorkers(), m.getPendingWorkers(), m.getLastFailure(),
        m.getApplyMillisTotal());
  }
}
