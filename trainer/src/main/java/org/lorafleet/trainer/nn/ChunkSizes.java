package org.lorafleet.trainer.nn;

/**
 * How much of the O(T²) and O(T·V) work one chunk covers, in array elements: attention scores of a
 * query chunk, logits of a row chunk, and the float32 slice of a half-precision vocabulary head.
 * Larger chunks mean fewer, larger GEMMs; smaller ones less memory. The defaults keep each chunk
 * at 16–32 MB, the logits chunk at up to 128 MB. Tests shrink them to force many chunks on tiny models.
 *
 * <p>Logit chunks are never thinner than {@link #DEFAULT_MIN_LOGIT_ROWS} rows (unless the pass has
 * fewer): OpenBLAS runs the head GEMM [c, H]·[H, V] at ~185 GFLOP/s with c = 512 rows, ~155 with
 * 256 and ~85 with 83 on this project's benchmark machine (2 threads, H = 768, V = 50,257), and the
 * head is most of a small model's step.
 */
public final class ChunkSizes {

  public static final long DEFAULT_ATTENTION = 1L << 22;
  public static final long DEFAULT_LOGITS = 1L << 25;
  public static final int DEFAULT_MIN_LOGIT_ROWS = 256;
  public static final long DEFAULT_HEAD_SLICE = 1L << 23;

  private static volatile long attention = DEFAULT_ATTENTION;
  private static volatile long logits = DEFAULT_LOGITS;
  private static volatile long headSlice = DEFAULT_HEAD_SLICE;
  private static volatile int minLogitRows = DEFAULT_MIN_LOGIT_ROWS;

  private ChunkSizes() {}

  public static long attention() {
    return attention;
  }

  public static long logits() {
    return logits;
  }

  public static long headSlice() {
    return headSlice;
  }

  /**
   * Rows per chunk when {@code n} rows meet {@code width} logits each: within {@link #logits()} elements
   * but at least {@link #DEFAULT_MIN_LOGIT_ROWS} (after {@link #set}, 1), and balanced, so a pass of n
   * rows splits into chunks of equal size rather than full ones and a thin remainder.
   */
  public static int logitRows(long n, long width) {
    if (n <= 0) {
      return 1;
    }
    long fit = Math.max(minLogitRows, logits() / Math.max(1, width));
    long chunks = (n + fit - 1) / fit;
    return (int) Math.max(1, (n + chunks - 1) / chunks);
  }

  /**
   * Sets the sizes for the whole JVM (each at least 1) and lets logit chunks be as thin as the budget
   * says (tests force many chunks on tiny models); {@link #reset()} restores the defaults.
   */
  public static void set(long attentionElements, long logitElements, long headSliceElements) {
    if (attentionElements < 1 || logitElements < 1 || headSliceElements < 1) {
      throw new IllegalArgumentException("Chunk sizes must be at least one element; got " + attentionElements + ", "
          + logitElements + ", " + headSliceElements + ".");
    }
    attention = attentionElements;
    logits = logitElements;
    headSlice = headSliceElements;
    minLogitRows = 1;
  }

  public static void reset() {
    set(DEFAULT_ATTENTION, DEFAULT_LOGITS, DEFAULT_HEAD_SLICE);
    minLogitRows = DEFAULT_MIN_LOGIT_ROWS;
  }
}
