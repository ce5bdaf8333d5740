package org.lorafleet.trainer.quant;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fills a new float32 [rows, cols] array, allocated in the active workspace, by decoding row
 * ranges straight into its native buffer. Large weights are split into contiguous row ranges over
 * {@code lorafleet.quant.threads} threads (default: 2, or 1 on a single core), the caller's thread
 * doing one range.
 */
final class Dequant {

  /** Decodes rows {@code [from, to)} into {@code out} (the whole [rows, cols] buffer, C order). */
  interface Rows {
    void decode(int from, int to, FloatBuffer out);
  }

  static final int THREADS = Math.max(1,
      Integer.getInteger("lorafleet.quant.threads", Math.min(2, Runtime.getRuntime().availableProcessors())));

  /** Below this many values one thread is faster than handing work over. */
  private static final int PARALLEL_MIN = 1 << 16;

  private Dequant() {}

  /** Decodes on at most {@code threads} threads (and at most {@link #THREADS}). */
  static INDArray toFloat(Layout layout, Rows rows, int threads) {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, layout.rows(), layout.cols()); // [rows, cols]
    FloatBuffer buf = out.data().asNioFloat().slice();
    int parts = layout.length() >= PARALLEL_MIN ? Math.min(Math.min(threads, THREADS), layout.rows()) : 1;
    if (parts == 1) {
      rows.decode(0, layout.rows(), buf);
      return out;
    }
    List<Future<?>> others = new ArrayList<>(parts - 1);
    for (int p = 1; p < parts; p++) {
      int from = bound(layout.rows(), parts, p);
      int to = bound(layout.rows(), parts, p + 1);
      others.add(Pool.EXECUTOR.submit(() -> rows.decode(from, to, buf)));
    }
    RuntimeException failure = null;
    try {
      rows.decode(0, bound(layout.rows(), parts, 1), buf);
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : others) { // every range writes into `out`: all must end before we return
      RuntimeException e = await(f);
      if (failure == null) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  private static int bound(int rows, int parts, int p) {
    return (int) ((long) rows * p / parts);
  }

  /** Waits for {@code f} (interrupts are kept for later); returns its failure, or null. */
  private static RuntimeException await(Future<?> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return null;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof Error err) {
            throw err;
          }
          return cause instanceof RuntimeException r ? r
              : new IllegalStateException("Dequantising a row range failed.", cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Worker threads, created on first use. */
  private static final class Pool {
    private static final AtomicInteger NUMBER = new AtomicInteger();
    static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
      Thread t = new Thread(r, "lorafleet-dequant-" + NUMBER.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
