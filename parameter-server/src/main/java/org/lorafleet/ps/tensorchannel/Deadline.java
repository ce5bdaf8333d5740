package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.nio.channels.Channel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes a channel when a blocking call on it outlives its deadline (blocking socket channels have
 * no read timeout), which ends the blocked read or write with an exception. One shared daemon timer.
 */
final class Deadline implements AutoCloseable {

  private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "ps-tensor-channel-deadlines");
    t.setDaemon(true);
    return t;
  });

  static {
    TIMER.setRemoveOnCancelPolicy(true);
  }

  private final ScheduledFuture<?> task;
  private volatile boolean fired;

  private Deadline(Channel ch, Duration after) {
    this.task = TIMER.schedule(() -> {
      fired = true;
      try {
        ch.close();
      } catch (IOException e) {
        // Closing is all we can do; the blocked call fails either way.
      }
    }, Math.max(1, after.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Arms a deadline for {@code ch}; close the returned object when the call is done. */
  static Deadline arm(Channel ch, Duration after) {
    return new Deadline(ch, after);
  }

  /** Whether the deadline passed and closed the channel. */
  boolean fired() {
    return fired;
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
