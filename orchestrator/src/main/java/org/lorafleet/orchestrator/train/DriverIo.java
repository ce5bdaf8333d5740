package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The driver's single background thread for evaluations and checkpoint writes, so that the
 * parameter server's listener never blocks on I/O. Tasks run in submission order. A task that
 * throws is retried {@code retries} times with doubling backoff (a transient HDFS error is not the
 * end of a run); when it still fails, the failure is printed with its whole cause chain, kept for
 * {@link #finish()}, and handed to the {@code onFailure} handler at once (which stops the training
 * stage: a run must not go on for hours whose checkpoints cannot be written). After a failure the
 * queued tasks are skipped; the job's final outputs are written by the job itself.
 */
final class DriverIo implements AutoCloseable {

  /** The longest wait between two attempts. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lorafleet-driver-io");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final PrintStream out;
  private final int retries;
  private final Duration firstBackoff;
  private final Consumer<RuntimeException> onFailure;

  /**
   * @param retries attempts after the first, >= 0 @param firstBackoff wait before the first retry
   * (then doubled, at most {@link #MAX_BACKOFF}) @param onFailure called once, on this class's thread
   */
  DriverIo(PrintStream out, int retries, Duration firstBackoff, Consumer<RuntimeException> onFailure) {
    this.out = out;
    this.retries = retries;
    this.firstBackoff = firstBackoff;
    this.onFailure = onFailure;
  }

  /** Queues a task named {@code what} (e.g. "the checkpoint of step 40"); returns at once. */
  void submit(String what, Runnable task) {
    thread.execute(() -> {
      if (failure.get() != null) {
        return;
      }
      Duration wait = firstBackoff;
      for (int attempt = 0; ; attempt++) {
        try {
          task.run();
          return;
        } catch (RuntimeException e) {
          if (attempt >= retries) {
            fail(new IllegalStateException("Writing " + what + " failed" + (retries > 0 ? " after " + (retries + 1)
                + " attempts" : "") + ": " + e.getMessage(), e));
            return;
          }
          out.printf("WARN: writing %s failed (%s); retry %d of %d in %s.%n", what, Causes.chain(e), attempt + 1, retries,
              org.lorafleet.orchestrator.config.Durations.format(wait));
          if (!sleep(wait)) {
            fail(new IllegalStateException("Interrupted while retrying " + what + ".", e));
            return;
          }
          wait = java.util.Collections.min(java.util.List.of(wait.multipliedBy(2), MAX_BACKOFF));
        }
      }
    });
  }

  /** Records a failure found elsewhere (e.g. by a step listener): printed, kept, handed to the handler once. */
  void fail(RuntimeException e) {
    if (failure.compareAndSet(null, e)) {
      out.println("ERROR: " + Causes.chain(e));
      onFailure.accept(e);
    }
  }

  /** The first failure, if any (without waiting for queued tasks). */
  Optional<RuntimeException> failure() {
    return Optional.ofNullable(failure.get());
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
      throw e;
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

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
