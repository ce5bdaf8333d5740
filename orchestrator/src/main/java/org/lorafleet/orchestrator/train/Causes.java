package org.lorafleet.orchestrator.train;

import java.util.ArrayList;
import java.util.List;

/** The messages of an exception and its causes, so that the root of a failure is always shown. */
public final class Causes {

  private Causes() {}

  /**
   * The distinct messages from {@code e} down to its root cause. A cause whose message the wrapper
   * already quotes in full is skipped; one without a message is named by its class.
   */
  public static List<String> messages(Throwable e) {
    List<String> out = new ArrayList<>();
    String previous = "";
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
          : t.getMessage().strip();
      if (!previous.contains(m)) {
        out.add(m);
      }
      previous = m;
      if (out.size() > 20) {
        break; // a cause cycle built by hand
      }
    }
    return out;
  }

  /** All of {@link #messages} on one line: "outer (caused by: inner; caused by: root)". */
  public static String chain(Throwable e) {
    List<String> m = messages(e);
    return m.size() == 1 ? m.get(0) : m.get(0) + " (caused by: " + String.join("; caused by: ", m.subList(1, m.size()))
        + ")";
  }
}
