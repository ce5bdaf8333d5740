package org.lorafleet.orchestrator.quality;

import java.io.Serializable;
import java.util.List;

/**
 * MinHash signatures of word shingles (Broder 1997, "On the resemblance and containment of
 * documents") and the LSH banding that turns them into candidate pairs (Leskovec, Rajaraman and
 * Ullman, "Mining of Massive Datasets", ch. 3.4).
 *
 * <p>A row's shingles are its runs of {@code shingleWords} consecutive normalised words (one shingle
 * of all words when it has fewer). Permutation {@code i} is simulated by the 64-bit mixer
 * {@code mix(h ^ salt_i)}, with salts drawn from the job seed; entry {@code i} of the signature is the
 * minimum over the shingles. The fraction of equal entries of two signatures estimates the Jaccard
 * similarity of their shingle sets, with standard error sqrt(J(1-J)/numPerm).
 *
 * @param numPerm      signature length
 * @param shingleWords words per shingle
 * @param bands        LSH bands b: two rows are candidates when all r entries of one band agree
 * @param rows         entries per band r (b·r ≤ numPerm)
 * @param salts        one salt per permutation
 */
public record MinHash(int numPerm, int shingleWords, int bands, int rows, long[] salts) implements Serializable {

  /** The hasher for {@code threshold}, with bands and rows from {@link #bandsAndRows}. */
  public static MinHash forThreshold(double threshold, int numPerm, int shingleWords, long seed) {
    int[] br = bandsAndRows(threshold, numPerm);
    long[] salts = new long[numPerm];
    long s = seed ^ 0x5DEECE66DL;
    for (int i = 0; i < numPerm; i++) {
      s += 0x9E3779B97F4A7C15L; // splitmix64 sequence
      salts[i] = mix(s);
    }
    return new MinHash(numPerm, shingleWords, br[0], br[1], salts);
  }

  /** The signature of a text's normalised words; null when it has no word. */
  public long[] signature(List<String> words) {
    if (words.isEmpty()) {
      return null;
    }
    long[] sig = new long[numPerm];
    java.util.Arrays.fill(sig, Long.MAX_VALUE);
    int k = Math.min(shingleWords, words.size());
    for (int from = 0; from + k <= words.size(); from++) {
      long h = TextNormalizer.hash64(words, from, from + k);
      for (int i = 0; i < numPerm; i++) {
        long v = mix(h ^ salts[i]);
        if (v < sig[i]) {
          sig[i] = v;
        }
      }
    }
    return sig;
  }

  /** The estimated Jaccard similarity: the fraction of equal entries. */
  public static double similarity(long[] a, long[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i]) {
        same++;
      }
    }
    return same / (double) a.length;
  }

  /** A hash of band {@code band}'s entries, the key under which candidate rows meet. */
  public long bandKey(long[] sig, int band) {
    long h = 0x243F6A8885A308D3L + band;
    for (int i = band * rows; i < (band + 1) * rows; i++) {
      h = mix(h ^ sig[i]) + 0x9E3779B97F4A7C15L;
    }
    return h;
  }

  /**
   * The bands b and rows r (b·r ≤ numPerm) whose S-curve P(J) = 1 − (1 − J^r)^b best separates
   * pairs at {@code threshold}: the smallest sum of the false-positive area (∫₀ᵗ P) and the
   * false-negative area (∫ₜ¹ 1 − P), equal weights, as datasketch's {@code MinHashLSH} chooses.
   */
  public static int[] bandsAndRows(double threshold, int numPerm) {
    double best = Double.MAX_VALUE;
    int[] out = {1, numPerm};
    for (int b = 1; b <= numPerm; b++) {
      for (int r = 1; b * r <= numPerm; r++) {
        double error = integrate(b, r, 0, threshold, false) + integrate(b, r, threshold, 1, true);
        if (error < best) {
          best = error;
          out = new int[] {b, r};
        }
      }
    }
    return out;
  }

  /** Simpson's rule over [lo, hi] of P(J) (or 1 − P(J) when {@code miss}). */
  private static double integrate(int b, int r, double lo, double hi, boolean miss) {
    int n = 64;
    double h = (hi - lo) / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double j = lo + i * h;
      double p = 1 - Math.pow(1 - Math.pow(j, r), b);
      double f = miss ? 1 - p : p;
      sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
    }
    return sum * h / 3;
  }

  /** The 64-bit finaliser of MurmurHash3 (fmix64). */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
