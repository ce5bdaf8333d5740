package org.lorafleet.trainer.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.KvCache;

/**
 * Autoregressive generation with the model as it is (base, or base + attached adapter), so a user
 * can compare what a fine-tune changed. Keeps a KV cache: the prompt is fed once, then each new
 * token costs one position (O(T) attention). GPT-2, whose position table is finite, slides its
 * window once the text outgrows it (the newest tokens that fit are re-fed); LongRoPE models re-feed
 * the sequence once when it outgrows the original context (their tables change there).
 */
public final class TextGenerator {

  private TextGenerator() {}

  /** Returns only the new token ids, up to and including a stop token. Blocks until done. */
  public static long[] generate(CausalLm model, long[] prompt, GenerationSettings s) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("Generation needs a non-empty prompt.");
    }
    boolean positional = model.config().architecture() == Architecture.GPT2;
    int window = positional ? model.config().maxPositions() : Integer.MAX_VALUE;
    SplittableRandom rng = new SplittableRandom(s.seed());
    long[] seq = Arrays.copyOf(prompt, prompt.length + s.maxNewTokens());
    int len = prompt.length;
    int from = Math.max(0, len - window);
    KvCache cache = model.newCache((int) Math.min(window, (long) seq.length - from));
    float[] logits = model.nextTokenLogits(Arrays.copyOfRange(seq, from, len), cache);
    for (int i = 0; i < s.maxNewTokens(); i++) {
      long next = s.temperature() == 0 ? argmax(logits) : sampleTopP(logits, s.temperature(), s.topP(), rng);
      seq[len++] = next;
      if (s.stopTokenIds().contains(next) || i == s.maxNewTokens() - 1) {
        break;
      }
      if (cache.length() == cache.capacity()) { // GPT-2 past its positions: re-feed the newest window − 1
        cache.clear();
        logits = model.nextTokenLogits(Arrays.copyOfRange(seq, len - (window - 1), len), cache);
      } else if (model.cacheInvalidatedBy(cache.length(), cache.length() + 1)) { // LongRoPE switches tables
        cache.clear();
        logits = model.nextTokenLogits(Arrays.copyOfRange(seq, from, len), cache);
      } else {
        logits = model.nextTokenLogits(new long[] {next}, cache);
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
