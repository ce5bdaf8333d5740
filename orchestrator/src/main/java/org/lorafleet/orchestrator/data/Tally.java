package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Row and token counts, merged across partitions; keeps the first bad rows in file order. */
final class Tally implements Serializable {

  static final int EXAMPLES = 5;
  private static final long serialVersionUID = 1L;

  long rows;
  long bad;
  long dropped;
  long truncated;
  long tokens;
  long trainable;
  /** Bad rows as examples without tokens, sorted by position, at most {@link #EXAMPLES}. */
  final List<Example> firstBad = new ArrayList<>();

  Tally add(Example e) {
    rows++;
    if (e.truncated()) {
      truncated++;
    }
    switch (e.status()) {
      case BAD -> {
        bad++;
        offer(e);
      }
      case DROPPED -> dropped++;
      case KEPT -> {
        tokens += e.ids().length;
        trainable += e.trainable();
      }
      default -> throw new IllegalStateException("Unknown status " + e.status() + ".");
    }
    return this;
  }

  Tally merge(Tally o) {
    rows += o.rows;
    bad += o.bad;
    dropped += o.dropped;
    truncated += o.truncated;
    tokens += o.tokens;
    trainable += o.trainable;
    o.firstBad.forEach(this::offer);
    return this;
  }

  private void offer(Example e) {
    int at = 0;
    while (at < firstBad.size() && Example.compareByPosition(firstBad.get(at), e) < 0) {
      at++;
    }
    if (at < EXAMPLES) {
      firstBad.add(at, e);
      if (firstBad.size() > EXAMPLES) {
        firstBad.remove(EXAMPLES);
      }
    }
  }

  /** {@code "file:line: reason"} of each kept bad row. */
  List<String> badMessages(List<InputFile> files) {
    List<String> out = new ArrayList<>();
    for (Example e : firstBad) {
      out.add(files.get(e.fileIdx()).where(e.line()) + ": " + e.reason());
    }
    return out;
  }
}
