package org.lorafleet.orchestrator.sweep;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A console for one trial: whole lines go to the sweep's console with the trial's name in front, so
 * trials running in parallel stay readable.
 */
final class PrefixedOutput extends OutputStream {

  private final PrintStream target;
  private final String prefix;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private PrefixedOutput(PrintStream target, String prefix) {
    this.target = target;
    this.prefix = prefix;
  }

  static PrintStream of(PrintStream target, String prefix) {
    return new PrintStream(new PrefixedOutput(target, prefix), true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      line.write(b);
    }
  }

  @Override
  public synchronized void flush() {
    target.flush();
  }

  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      emit();
    }
  }

  private void emit() {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    synchronized (target) {
      target.println(prefix + text);
    }
  }
}
