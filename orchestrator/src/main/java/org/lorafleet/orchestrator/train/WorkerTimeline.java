package org.lorafleet.orchestrator.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's throughput and memory over time: a sample each time its optimizer step count crosses a
 * multiple of {@code every} (and at its last unit of work), so a job of any length keeps about
 * {@link #POINTS} samples per worker. Filled by the worker's own thread; returned to the driver in the
 * {@link WorkerReport} and written to metrics.jsonl there.
 */
final class WorkerTimeline implements Serializable {

  /** Samples per worker a whole job aims at. */
  static final int POINTS = 100;

  /**
   * @param step optimizer steps done (the job's count: a local-sgd round of k steps ends at a multiple of k)
   * @param tokensPerSecond tokens this worker trained on since the sample before, per wall second
   *     (computing and waiting for the server)
   * @param stepSeconds wall seconds per unit of work (step, or local-sgd round) since the sample before
   * @param rssBytes the worker JVM's resident memory now (VmRSS), -1 where the OS does not tell
   */
  record Sample(long step, double tokensPerSecond, double stepSeconds, long rssBytes) implements Serializable {}

  private final long every;
  private final List<Sample> samples = new ArrayList<>();
  private long lastNanos = System.nanoTime();
  private long lastStep = Long.MIN_VALUE;
  private long tokens;
  private int units;

  /** Samples about {@link #POINTS} times over {@code totalSteps} optimizer steps. */
  WorkerTimeline(long totalSteps) {
    this.every = Math.max(1, totalSteps / POINTS);
  }

  /**
   * Counts one finished unit of work ending at optimizer step {@code stepDone} with {@code unitTokens}
   * tokens, and samples when the step crossed a multiple of the cadence or {@code last} is set.
   */
  void unitDone(long stepDone, long unitTokens, boolean last) {
    tokens += unitTokens;
    units++;
    long before = lastStep == Long.MIN_VALUE ? stepDone - 1 : lastStep;
    if (last || JobConversions.crosses(before, stepDone, every)) {
      long now = System.nanoTime();
      double seconds = Math.max((now - lastNanos) / 1e9, 1e-9);
      samples.add(new Sample(stepDone, tokens / seconds, seconds / units, WorkerReport.rss()));
      lastNanos = now;
      tokens = 0;
      units = 0;
    }
    lastStep = stepDone;
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }
}
