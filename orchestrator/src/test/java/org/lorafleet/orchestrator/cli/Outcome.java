package org.lorafleet.orchestrator.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A CLI command run in-process, as the tests run them: its exit code and what it printed. */
record Outcome(int code, String out, String err) {

  /** Runs {@code lorafleet <args>} through {@link Main#commandLine()}; blocks until the command ends. */
  static Outcome run(String... args) {
    var cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }
}
