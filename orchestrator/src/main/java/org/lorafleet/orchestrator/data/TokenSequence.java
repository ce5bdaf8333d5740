package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training or eval sequence of exactly {@code max_seq_len} tokens (see {@link DataPipeline}).
 *
 * @param index    0..n-1: the position of this sequence after the deterministic shuffle
 * @param inputIds token ids
 * @param labels   the id where the token is trained on, -100 where it is not (prompt, non-assistant
 *                 chat turns, padding); the model shifts labels by one internally
 */
public record TokenSequence(long index, long[] inputIds, long[] labels) implements Serializable {

  /** The label of tokens that are not trained on. */
  public static final long IGNORE = -100;

  public TokenSequence {
    if (inputIds.length != labels.length) {
      throw new IllegalArgumentException("A sequence needs as many labels as ids, got " + inputIds.length
          + " ids and " + labels.length + " labels.");
    }
  }

  /** Positions whose label is trained on (not -100). */
  public int trainedTokens() {
    int n = 0;
    for (long l : labels) {
      if (l != IGNORE) {
        n++;
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSequence s && s.index == index && Arrays.equals(s.inputIds, inputIds)
        && Arrays.equals(s.labels, labels);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(index) * 31 + Arrays.hashCode(inputIds)) * 31 + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "TokenSequence[index=" + index + ", inputIds=" + Arrays.toString(inputIds) + ", labels="
        + Arrays.toString(labels) + "]";
  }
}
