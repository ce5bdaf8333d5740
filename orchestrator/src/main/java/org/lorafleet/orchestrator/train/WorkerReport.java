package org.lorafleet.orchestrator.train;

import java.io.Serializable;

/**
 * What one worker task did, returned to the driver when the barrier stage ends.
 *
 * @param host the executor's host name; {@code pid} its JVM's process id (which executor ran the worker)
 * @param threads the ND4J/BLAS threads the worker computed with
 */
public record WorkerReport(int worker, int attempt, String host, long pid, int threads, long stepsComputed, long tokens,
    double computeSeconds, double waitSeconds, long refusedStale) implements Serializable {

  /** This JVM's host name, or "unknown" when it cannot be resolved. */
  static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
