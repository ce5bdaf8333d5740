package org.lorafleet.orchestrator.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One file's progress line: name, bytes done/total, MB/s and ETA. On a terminal the line is redrawn in
 * place (\r) a few times a second; otherwise (logs, tests) one line when the file starts and one when it ends.
 */
final class DownloadProgress {
  private final PrintStream out;
  private final String file;
  private final long total;
  private final boolean live = System.console() != null;
  private long startNanos;
  private long startBytes;
  private long lastDraw;

  DownloadProgress(PrintStream out, String file, long total) {
    this.out = out;
    this.file = file;
    this.total = total;
  }

  void begin(long have) {
    startNanos = System.nanoTime();
    startBytes = have;
    lastDraw = startNanos;
    if (live) {
      out.print("\r" + line(have));
    } else {
      out.println(line(have) + (have > 0 ? "  resuming" : "  starting"));
    }
  }

  void update(long done) {
    long now = System.nanoTime();
    if (live && now - lastDraw > 200_000_000L) {
      out.print("\r" + line(done));
      lastDraw = now;
    }
  }

  void end(long done) {
    out.print((live ? "\r" : "") + line(done) + "  done" + System.lineSeparator());
  }

  void broken(long done, Exception e, boolean retrying) {
    out.print((live ? "\r" : "") + line(done) + "  interrupted (" + BlobDownload.describe(e) + ")"
        + (retrying ? ", resuming" : "") + System.lineSeparator());
  }

  private String line(long done) {
    double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    double rate = (done - startBytes) / seconds;
    String eta = total < 0 || rate <= 0 ? "?" : clock((total - done) / rate);
    return String.format(Locale.ROOT, "%s  %s / %s  %.1f MB/s  ETA %s   ", file, bytes(done),
        total < 0 ? "?" : bytes(total), rate / 1e6, eta);
  }

  private static String bytes(long n) {
    return n < 1000 ? n + " B" : n < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", n / 1e3)
        : n < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f MB", n / 1e6)
        : String.format(Locale.ROOT, "%.2f GB", n / 1e9);
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
