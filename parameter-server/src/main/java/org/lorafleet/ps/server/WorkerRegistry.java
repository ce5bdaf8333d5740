package org.lorafleet.ps.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.snapshot.WorkerProgress;

/**
 * The workers of one job and their registration generation. A failed step or a restore starts a
 * new generation: registrations from before it are stale until the worker registers again. Not
 * thread-safe: guarded by the server's lock.
 */
final class WorkerRegistry {

  /** What the server tracks per worker. */
  static final class Worker {
    final String id;
    long generation;
    long lastAppliedStep = -1;
    long lastPushedStep = -1;
    long lastSeenNanos;

    Worker(String id) {
      this.id = id;
    }
  }

  private final String jobId;
  private final int expected;
  private final Map<String, Worker> workers = new TreeMap<>();
  private long generation;
  private String staleReason = "";

  WorkerRegistry(String jobId, int expected) {
    this.jobId = jobId;
    this.expected = expected;
  }

  long generation() {
    return generation;
  }

  /** Registers (or re-registers) a worker in the current generation. */
  Worker register(String id, long nowNanos) {
    if (id == null || id.isEmpty() || id.length() > 256) {
      throw new PsException(Refusal.MALFORMED, "A worker id must have 1 to 256 characters, got '" + id + "'.");
    }
    Worker w = workers.get(id);
    if (w == null || w.generation != generation) {
      Set<String> current = currentIds();
      if (current.size() >= expected) {
        throw new PsException(Refusal.NOT_REGISTERED, "Job '" + jobId + "' expects " + expected
            + " workers and " + current + " are registered, so worker '" + id + "' cannot join; give a retried "
            + "task its old worker id (e.g. the partition index).");
      }
    }
    if (w == null) {
      w = new Worker(id);
      workers.put(id, w);
    }
    w.generation = generation;
    w.lastSeenNanos = nowNanos;
    return w;
  }

  Worker find(String id) {
    return id == null ? null : workers.get(id);
  }

  /** The worker, registered in the current generation; refuses otherwise. */
  Worker require(String id, long nowNanos) {
    Worker w = find(id);
    if (w == null) {
      throw new PsException(Refusal.NOT_REGISTERED, "Worker '" + id + "' is not registered with job '" + jobId
          + "'; call register first.");
    }
    w.lastSeenNanos = nowNanos;
    if (w.generation != generation) {
      throw new PsException(Refusal.REGISTRATION_STALE, "Worker '" + id + "' must register again: "
          + staleReason);
    }
    return w;
  }

  /** Makes every registration stale, for the given reason (a full sentence). */
  void invalidateAll(String reason) {
    generation++;
    staleReason = reason;
  }

  String staleReason() {
    return staleReason;
  }

  boolean isStale(Worker w) {
    return w.generation != generation;
  }

  /** Ids registered in the current generation, sorted. */
  Set<String> currentIds() {
    Set<String> ids = new TreeSet<>();
    for (Worker w : workers.values()) {
      if (w.generation == generation) {
        ids.add(w.id);
      }
    }
    return ids;
  }

  /** Seconds since each of {@code ids} was last heard from, for failure messages. */
  String lastSeen(Set<String> ids, long nowNanos) {
    StringBuilder sb = new StringBuilder();
    for (String id : ids) {
      Worker w = workers.get(id);
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(id).append(w == null ? " (never registered)"
          : String.format(java.util.Locale.ROOT, " (last heard from %.1f s ago)", (nowNanos - w.lastSeenNanos) / 1e9));
    }
    return sb.toString();
  }

  Map<String, WorkerProgress> progress() {
    Map<String, WorkerProgress> m = new LinkedHashMap<>();
    for (Worker w : workers.values()) {
      m.put(w.id, new WorkerProgress(w.id, w.lastAppliedStep, w.lastPushedStep));
    }
    return m;
  }

  /** Replaces all workers by the snapshot's progress; all of them must register again. */
  void restoreProgress(Map<String, WorkerProgress> progress, String reason) {
    workers.clear();
    invalidateAll(reason);
    for (WorkerProgress p : progress.values()) {
      Worker w = new Worker(p.workerId());
      w.generation = generation - 1;
      w.lastAppliedStep = p.lastAppliedStep();
      w.lastPushedStep = p.lastPushedStep();
      workers.put(w.id, w);
    }
  }
}
