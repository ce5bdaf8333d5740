package org.lorafleet.ps.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.snapshot.ServerSnapshot;

/** Checks that a snapshot fits a job before it is restored. Stateless. */
final class SnapshotChecks {

  private SnapshotChecks() {}

  /** The snapshot's weights copied into the job's tensor order; refuses other names or shapes, or non-finite values. */
  static Map<String, FloatTensor> weightsFor(String jobId, Map<String, TensorSpec> specs, ServerSnapshot s) {
    for (String name : s.weights().keySet()) {
      if (!specs.containsKey(name)) {
        throw new PsException(Refusal.UNKNOWN_TENSOR, "The snapshot holds tensor '" + name + "', which job '" + jobId
            + "' does not train.");
      }
    }
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    for (TensorSpec spec : specs.values()) {
      FloatTensor t = s.weights().get(spec.name());
      if (t == null) {
        throw new PsException(Refusal.MISSING_TENSOR, "The snapshot lacks tensor '" + spec.name() + "'.");
      }
      if (!spec.matches(t)) {
        throw new PsException(Refusal.WRONG_SHAPE, "The snapshot has tensor '" + spec.name() + "' as "
            + t.shapeString() + "; job '" + jobId + "' has it as " + spec.shapeString() + ".");
      }
      for (float x : t.data()) {
        if (!Float.isFinite(x)) {
          throw new PsException(Refusal.NON_FINITE, "The snapshot's tensor '" + spec.name()
              + "' holds a non-finite value.");
        }
      }
      w.put(spec.name(), t.copy());
    }
    return w;
  }
}
