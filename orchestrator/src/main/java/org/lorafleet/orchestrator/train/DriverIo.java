package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The driver's single background thread for evaluations and checkpoint writes, so that the
 * parameter server's listener never blocks on I/O. Tasks run in submission order; the first
 * failure is printed at once and rethrown by {@link #finish()}.
 */
final class DriverIo implements AutoCloseable {

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lorafleet-driver-io");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final PrintStream out;

  DriverIo(PrintStream out) {
    this.out = out;
  }

  /** Queues a task; returns at once. */
  void submit(Runnable task) {
    thread.execute(() -> {
      if (failure.get() != null) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        out.println("ERROR: " + e.getMessage());
        failure.compareAndSet(null, e);
      }
    });
  }

  /** Blocks until every queued task ran; throws the first failure. */
  void finish() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException("Pending evaluations or checkpoint writes did not finish within 30 minutes.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for checkpoint writes.", e);
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw new IllegalStateException("An evaluation or checkpoint write failed: " + e.getMessage(), e);
    }
  }

  /** Lets queued work (e.g. a checkpoint write) finish even when the job failed, for up to a minute. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.shutdownNow();
  }
}
