package org.lorafleet.ps.server;

import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.TensorSpec;

/** Checks a pushed update against the job's tensors before anything is stored. Stateless. */
final class UpdateValidator {

  private UpdateValidator() {}

  /**
   * Throws {@link PsException} (INVALID_ARGUMENT) for an empty worker id, unknown or missing
   * tensors, wrong shapes, non-finite values (scanned only with {@code scanValues}) or loss, or a
   * token count below 1.
   */
  static void validate(String jobId, Map<String, TensorSpec> specs, String workerId,
      Map<String, FloatTensor> update, double lossSum, long tokens, boolean scanValues) {
    if (workerId == null || workerId.isEmpty()) {
      throw new PsException(Refusal.MALFORMED, "A push needs a worker id.");
    }
    if (tokens < 1) {
      throw new PsException(Refusal.MALFORMED, "Worker '" + workerId + "' pushed " + tokens
          + " tokens; an update needs at least one counted token.");
    }
    if (!Double.isFinite(lossSum)) {
      throw new PsException(Refusal.NON_FINITE, "Worker '" + workerId + "' pushed a non-finite loss sum ("
          + lossSum + ").");
    }
    for (Map.Entry<String, FloatTensor> e : update.entrySet()) {
      TensorSpec spec = specs.get(e.getKey());
      if (spec == null) {
        throw new PsException(Refusal.UNKNOWN_TENSOR, "Worker '" + workerId + "' pushed tensor '" + e.getKey()
            + "', which job '" + jobId + "' does not train.");
      }
      if (!spec.matches(e.getValue())) {
        throw new PsException(Refusal.WRONG_SHAPE, "Worker '" + workerId + "' pushed tensor '" + e.getKey()
            + "' with shape " + e.getValue().shapeString() + "; job '" + jobId + "' has it as " + spec.shapeString()
            + ".");
      }
    }
    for (String name : specs.keySet()) {
      if (!update.containsKey(name)) {
        throw new PsException(Refusal.MISSING_TENSOR, "Worker '" + workerId + "' pushed no value for tensor '"
            + name + "'; every push must cover all " + specs.size() + " tensors of job '" + jobId + "'.");
      }
    }
    if (!scanValues) {
      return;
    }
    for (Map.Entry<String, FloatTensor> e : update.entrySet()) {
      float[] d = e.getValue().data();
      for (int i = 0; i < d.length; i++) {
        if (!Float.isFinite(d[i])) {
          throw new PsException(Refusal.NON_FINITE, "Worker '" + workerId + "' pushed " + d[i] + " at element " + i
              + " of tensor '" + e.getKey() + "'; updates must be finite.");
        }
      }
    }
  }
}
