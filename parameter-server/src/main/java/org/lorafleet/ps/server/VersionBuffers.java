package org.lorafleet.ps.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * The published version and the arrays of the one before it, recycled for the next update when
 * nobody can still be reading them. An update writes the next version into fresh arrays anyway
 * if the previous version was handed out for keeps ({@link #pinned()}) or is still being read
 * ({@link #read}); so a reader never sees arrays change under it. Recycling saves allocating and
 * first-touching the whole adapter on every step (about half the cost of an out-of-place update
 * of a 16 MB adapter, measured in docs/benchmarks.md).
 *
 * <p>Protocol (sequentially consistent volatile/atomic accesses): a reader increments the slot's
 * reader count, then checks that the slot was not retired; the updater retires the slot, then
 * checks its reader count and pin. Either the reader backs off and retries on the newer version,
 * or the updater sees the reader and allocates fresh arrays.
 *
 * <p>Thread-safety: {@link #read} and {@link #pinned()} from any thread, without the server's lock;
 * {@link #nextArrays()} and {@link #publish} only under the server's lock.
 */
final class VersionBuffers {

  private static final class Slot {
    final PublishedVersion version;
    final AtomicInteger readers = new AtomicInteger();
    volatile boolean retired;
    volatile boolean pinned;

    Slot(PublishedVersion version) {
      this.version = version;
    }
  }

  private volatile Slot current;
  private Slot previous; // guarded by the server's lock

  VersionBuffers(PublishedVersion first) {
    this.current = new Slot(first);
  }

  /** The current version's number and outcome, for callers that do not touch its tensors. */
  PublishedVersion peek() {
    return current.version;
  }

  /** The current version, kept unchanged for as long as the caller holds it (never recycled). */
  PublishedVersion pinned() {
    while (true) {
      Slot s = current;
      s.pinned = true;
      if (!s.retired) {
        return s.version;
      }
    }
  }

  /** Runs {@code reader} on the current version; its arrays stay unchanged until it returns. */
  <T> T read(Function<PublishedVersion, T> reader) {
    while (true) {
      Slot s = current;
      s.readers.incrementAndGet();
      try {
        if (!s.retired) {
          return reader.apply(s.version);
        }
      } finally {
        s.readers.decrementAndGet();
      }
      Thread.onSpinWait(); // retired between our read of `current` and the increment: take the newer one
    }
  }

  /**
   * Arrays for the next version, shaped like the current one: the previous version's when nobody
   * reads or pinned it, else fresh (zeroed). Their content is garbage to be overwritten. Under the lock.
   */
  Map<String, FloatTensor> nextArrays() {
    Slot old = previous;
    previous = null;
    if (old != null) {
      old.retired = true;
      if (old.readers.get() == 0 && !old.pinned) {
        return new LinkedHashMap<>(old.version.tensors());
      }
    }
    Map<String, FloatTensor> fresh = new LinkedHashMap<>();
    current.version.tensors().forEach((k, t) -> fresh.put(k, FloatTensor.zeros(t.shape())));
    return fresh;
  }

  /** Makes {@code next} (arrays nobody else holds) the current version. Under the lock. */
  void publish(PublishedVersion next) {
    previous = current;
    current = new Slot(next);
  }

  /** Replaces everything (restore): nothing of the old versions is recycled. Under the lock. */
  void reset(PublishedVersion next) {
    previous = null;
    current = new Slot(next);
  }

  static Map<String, FloatTensor> frozen(Map<String, FloatTensor> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
