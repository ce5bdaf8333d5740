package org.lorafleet.ps.server;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.lorafleet.ps.api.StepOutcome;

/**
 * The step listeners of one server and the delivery of outcomes to them, on the server's timer
 * thread (never the pushing worker's). The first listener that throws stops every later delivery;
 * its failure is kept and handed to the failure handler once. Thread-safe without the server's
 * lock; {@link #publish} never blocks (the server calls it under its lock, in step order).
 */
final class StepListeners {

  // Logged under the core's name, which is what operators configure.
  private static final System.Logger LOG = System.getLogger(ParameterServerCore.class.getName());

  private final Executor thread;
  private final List<Consumer<StepOutcome>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile Consumer<RuntimeException> onFailure = e -> { };

  /** @param thread runs deliveries one at a time in submission order (a single thread) */
  StepListeners(Executor thread) {
    this.thread = thread;
  }

  void add(Consumer<StepOutcome> listener) {
    listeners.add(listener);
  }

  void onFailure(Consumer<RuntimeException> handler) {
    this.onFailure = handler;
  }

  Optional<RuntimeException> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Queues delivery of a published outcome; does nothing while there are no listeners. */
  void publish(StepOutcome out) {
    if (!listeners.isEmpty()) {
      thread.execute(() -> deliver(out)); // one thread: listeners see outcomes in step order
    }
  }

  private void deliver(StepOutcome out) {
    if (failure.get() != null) {
      return; // a listener failed: the job is failing, later outcomes must not act on its broken state
    }
    for (Consumer<StepOutcome> l : listeners) {
      try {
        l.accept(out);
      } catch (RuntimeException e) {
        RuntimeException f = new IllegalStateException("A step listener failed on step " + out.step() + ": "
            + e.getMessage(), e);
        if (failure.compareAndSet(null, f)) {
          LOG.log(System.Logger.Level.ERROR, f.getMessage(), e);
          onFailure.accept(f);
        }
        return;
      }
    }
  }
}
