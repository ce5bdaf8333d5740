package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A terminal's last line as a status line that updates in place (the training progress), with every
 * other line printed above it: before other output the status is erased ({@code \r} + erase-line), and
 * redrawn after it once that output ends a line. Only for a terminal: logs and pipes get plain lines
 * from {@link ProgressLog}. Thread-safe: the progress comes from the parameter server's listener thread.
 */
public final class StatusLine extends OutputStream {

  private static final byte[] ERASE = "\r\u001b[K".getBytes(StandardCharsets.US_ASCII);

  /** A console whose progress lines update in place. */
  public static final class Terminal extends PrintStream {
    private final StatusLine line;

    private Terminal(StatusLine line) {
      super(line, true, StandardCharsets.UTF_8);
      this.line = line;
    }

    /** Shows {@code text} (one line, no newline) as the status. */
    public void status(String text) {
      line.show(text);
    }

    /** Leaves the status shown as an ordinary line and stops redrawing it. */
    public void keepStatus() {
      line.keep();
    }
  }

  private final OutputStream tty;
  private byte[] status;
  private boolean shown;
  private boolean atLineStart = true;

  private StatusLine(OutputStream tty) {
    this.tty = tty;
  }

  /**
   * {@code out} with in-place progress when it is this process's standard output and that is an
   * interactive terminal ({@code TERM} not "dumb"); otherwise {@code out} itself.
   */
  public static PrintStream console(PrintStream out) {
    boolean terminal = out == System.out && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    return terminal ? over(out) : out;
  }

  /** A terminal console writing to {@code tty} (for tests: a terminal is not needed to check the bytes). */
  static Terminal over(OutputStream tty) {
    return new Terminal(new StatusLine(tty));
  }

  synchronized void show(String text) {
    status = text.getBytes(StandardCharsets.UTF_8);
    if (atLineStart) {
      io(() -> {
        tty.write(ERASE);
        tty.write(status);
        tty.flush();
      });
      shown = true;
    }
  }

  synchronized void keep() {
    if (shown) {
      io(() -> tty.write('\n'));
      shown = false;
    }
    status = null;
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    io(() -> {
      if (shown) {
        tty.write(ERASE);
        shown = false;
      }
      tty.write(b, off, len);
      atLineStart = b[off + len - 1] == '\n';
      if (atLineStart && status != null) {
        tty.write(status);
        shown = true;
      }
    });
  }

  @Override
  public synchronized void flush() {
    io(tty::flush);
  }

  private interface Io {
    void run() throws IOException;
  }

  private static void io(Io op) {
    try {
      op.run();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write to the terminal.", e);
    }
  }
}
