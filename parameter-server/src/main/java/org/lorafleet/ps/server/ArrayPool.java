package org.lorafleet.ps.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * Float arrays of pushes the server is done with, handed out again to receive the next pushes, so
 * a transport does not allocate (zero and first-touch) a whole adapter per push. Bounded: at most
 * {@code capacityFloats} values are kept; beyond that arrays are left to the garbage collector.
 * A taken array's content is garbage. Thread-safe, never blocks.
 */
public final class ArrayPool {

  private final Map<Integer, ConcurrentLinkedDeque<float[]>> free = new ConcurrentHashMap<>();
  private final AtomicLong pooledFloats = new AtomicLong();
  private final long capacityFloats;

  ArrayPool(long capacityFloats) {
    this.capacityFloats = capacityFloats;
  }

  /** An array of exactly {@code n} floats: a recycled one, or a new one. */
  public float[] take(int n) {
    ConcurrentLinkedDeque<float[]> q = free.get(n);
    float[] a = q == null ? null : q.pollFirst();
    if (a == null) {
      return new float[n];
    }
    pooledFloats.addAndGet(-n);
    return a;
  }

  /** Gives back the arrays of tensors nobody uses any more. */
  void give(Map<String, FloatTensor> tensors) {
    for (FloatTensor t : tensors.values()) {
      float[] a = t.data();
      if (pooledFloats.addAndGet(a.length) > capacityFloats) {
        pooledFloats.addAndGet(-a.length);
        continue;
      }
      free.computeIfAbsent(a.length, k -> new ConcurrentLinkedDeque<>()).addFirst(a);
    }
  }
}
