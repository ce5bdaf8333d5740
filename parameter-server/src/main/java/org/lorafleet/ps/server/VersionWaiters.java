package org.lorafleet.ps.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.VersionStatus;

/**
 * Callers waiting for a version. Not thread-safe: guarded by the server's lock; futures are
 * completed by the caller after releasing the lock, so no callback runs under it.
 */
final class VersionWaiters {

  /** One wait: the version it needs, its future, and its timeout task. */
  static final class Waiter {
    final long minVersion;
    final CompletableFuture<VersionStatus> future = new CompletableFuture<>();
    ScheduledFuture<?> timer;

    Waiter(long minVersion) {
      this.minVersion = minVersion;
    }
  }

  private final List<Waiter> waiters = new ArrayList<>();

  Waiter add(long minVersion) {
    Waiter w = new Waiter(minVersion);
    waiters.add(w);
    return w;
  }

  /** Removes a waiter; false if it was already taken (completed or failed). */
  boolean remove(Waiter w) {
    return waiters.remove(w);
  }

  /** Takes the waiters satisfied by {@code version}. */
  List<Waiter> takeReached(long version) {
    List<Waiter> reached = new ArrayList<>();
    waiters.removeIf(w -> {
      if (w.minVersion <= version) {
        reached.add(w);
        return true;
      }
      return false;
    });
    return reached;
  }

  List<Waiter> takeAll() {
    List<Waiter> all = new ArrayList<>(waiters);
    waiters.clear();
    return all;
  }

  /** Blocks for {@code f}; failures come out as the {@link PsException} they carry. */
  static VersionStatus block(CompletableFuture<VersionStatus> f, long minVersion) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new PsException(org.lorafleet.ps.api.Refusal.INTERRUPTED, "Interrupted while waiting for version "
          + minVersion + ".");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof PsException pe) {
        throw new PsException(pe.status(), pe.reason(), pe.getMessage(), pe);
      }
      throw new PsException(org.lorafleet.ps.api.PsStatus.INTERNAL, org.lorafleet.ps.api.Refusal.TRANSPORT,
          "Waiting for version " + minVersion + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** Completes the waiters (call without holding the server's lock). */
  static void complete(List<Waiter> ws, VersionStatus status) {
    for (Waiter w : ws) {
      if (w.timer != null) {
        w.timer.cancel(false);
      }
      w.future.complete(status);
    }
  }

  /** Fails the waiters (call without holding the server's lock). */
  static void fail(List<Waiter> ws, PsException e) {
    for (Waiter w : ws) {
      if (w.timer != null) {
        w.timer.cancel(false);
      }
      w.future.completeExceptionally(e);
    }
  }
}
