package org.lorafleet.trainer.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;

/**
 * Autoregressive generation with the model as it is (base, or base + attached adapter), so a user
 * can compare what a fine-tune changed. Recomputes the whole prefix per token (no KV cache): fine
 * for demos and tests, quadratic in length.
 */
public final class TextGenerator {

  private TextGenerator() {}

  /** Returns only the new token ids. Blocks until done. */
  public static long[] generate(CausalLm model, long[] prompt, GenerationSettings s) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("Generation needs a non-empty prompt.");
    }
    int window = model.config().architecture() == Architecture.GPT2 ? model.config().maxPositions() : Integer.MAX_VALUE;
    SplittableRandom rng = new SplittableRandom(s.seed());
    long[] seq = Arrays.copyOf(prompt, prompt.length + s.maxNewTokens());
    int len = prompt.length;
    for (int i = 0; i < s.maxNewTokens(); i++) {
      int from = Math.max(0, len - window); // keep the newest tokens that fit the position table
      float[] logits = model.nextTokenLogits(Arrays.copyOfRange(seq, from, len));
      long next = s.temperature() == 0 ? argmax(logits) : sampleTopP(logits, s.temperature(), s.topP(), rng);
      seq[len++] = next;
      if (next == s.stopTokenId()) {
        break;
      }
    }
    return Arrays.copyOfRange(seq, prompt.length, len);
  }

  static int argmax(float[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Samples from the smallest set of most likely tokens whose probability reaches {@code topP}. */
  static int sampleTopP(float[] logits, double temperature, double topP, SplittableRandom rng) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
      p[i] /= sum;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    double kept = 0;
    int n = 0;
    while (n < v && (n == 0 || kept < topP)) {
      kept += p[order[n++]];
    }
    double u = rng.nextDouble() * kept;
    for (int i = 0; i < n; i++) {
      u -= p[order[i]];
      if (u <= 0) {
        return order[i];
      }
    }
    return order[n - 1];
  }
}
