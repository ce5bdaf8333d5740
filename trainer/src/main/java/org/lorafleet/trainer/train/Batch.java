package org.lorafleet.trainer.train;

/**
 * A batch of token sequences of equal length, row-major: {@code inputIds[b·seq + t]}. Labels equal
 * the inputs where the token is trained on and -100 where it is not (prompt, padding); the model
 * shifts them by one internally.
 */
public record Batch(long[] inputIds, long[] labels, int batch, int seq) {

  public Batch {
    if (batch <= 0 || seq <= 0) {
      throw new IllegalArgumentException("A batch needs positive size and length, got " + batch + " × " + seq + ".");
    }
    if (inputIds.length != (long) batch * seq || labels.length != inputIds.length) {
      throw new IllegalArgumentException("A " + batch + " × " + seq + " batch needs " + batch * seq
          + " ids and labels, got " + inputIds.length + " and " + labels.length + ".");
    }
  }

  /** Tokens the loss counts: positions whose next label is not -100. */
  public long countedTokens() {
    long n = 0;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t + 1 < seq; t++) {
        if (labels[b * seq + t + 1] != -100) {
          n++;
        }
      }
    }
    return n;
  }
}
