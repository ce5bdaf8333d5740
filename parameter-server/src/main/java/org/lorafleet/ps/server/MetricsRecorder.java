package org.lorafleet.ps.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.lorafleet.ps.api.Refusal;

/** Thread-safe counters of one server; the transport layer adds what only it sees. Never blocks. */
public final class MetricsRecorder {

  private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
  final AtomicLong stepsApplied = new AtomicLong();
  final AtomicLong stepsFailed = new AtomicLong();
  final AtomicLong pushesAccepted = new AtomicLong();
  final AtomicLong pushesDuplicate = new AtomicLong();
  final AtomicLong pushesCancelled = new AtomicLong();
  final AtomicLong pulls = new AtomicLong();
  final AtomicLong bytesReceived = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final DoubleAdder applyMillis = new DoubleAdder();

  MetricsRecorder() {
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new LongAdder());
    }
  }

  /** Counts one refused call. */
  public void refused(Refusal reason) {
    refusals.get(reason).increment();
  }

  /** Counts a push whose stream ended early (client gone or cancelled). */
  public void pushCancelled() {
    pushesCancelled.incrementAndGet();
  }

  public void bytesReceived(long n) {
    bytesReceived.addAndGet(n);
  }

  public void bytesSent(long n) {
    bytesSent.addAndGet(n);
  }

  Map<String, Long> refusalCounts() {
    Map<String, Long> m = new TreeMap<>();
    refusals.forEach((k, v) -> {
      long n = v.sum();
      if (n > 0) {
        m.put(k.name(), n);
      }
    });
    return m;
  }
}
