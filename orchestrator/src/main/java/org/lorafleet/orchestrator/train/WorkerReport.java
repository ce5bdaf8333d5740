package org.lorafleet.orchestrator.train;

import java.io.Serializable;
import java.util.List;

/**
 * What one worker task did, returned to the driver when the barrier stage ends.
 *
 * @param host the executor's host name; {@code pid} its JVM's process id (which executor ran the worker)
 * @param threads the ND4J/BLAS threads the worker computed with
 * @param peakRssBytes the peak resident memory of the executor JVM when the worker ended (VmHWM; shared by
 *     the workers of one JVM), or -1 where the OS does not tell
 * @param timeline the worker's throughput and memory over time
 */
public record WorkerReport(int worker, int attempt, String host, long pid, int threads, long stepsComputed, long tokens,
    double computeSeconds, double waitSeconds, long refusedStale, long peakRssBytes, List<WorkerTimeline.Sample> timeline)
    implements Serializable {

  public WorkerReport {
    timeline = List.copyOf(timeline);
  }

  /** This JVM's peak resident set size from /proc/self/status (Linux), or -1. */
  static long peakRss() {
    return procStatusBytes("VmHWM:");
  }

  /** This JVM's resident set size now from /proc/self/status (Linux), or -1. */
  static long rss() {
    return procStatusBytes("VmRSS:");
  }

  private static long procStatusBytes(String key) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // the kernel writes kB
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** This JVM's host name, or "unknown" when it cannot be resolved. */
  static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
