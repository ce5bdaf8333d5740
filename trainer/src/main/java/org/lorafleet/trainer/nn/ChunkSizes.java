package org.lorafleet.trainer.nn;

/**
 * How much of the O(T²) and O(T·V) work one chunk covers, in array elements: attention scores of a
 * query chunk, logits of a row chunk, and the float32 slice of a half-precision vocabulary head.
 * Larger chunks mean fewer, larger GEMMs; smaller ones less memory. The defaults keep each chunk
 * at 16–32 MB. Tests shrink them to force many chunks on tiny models.
 */
public final class ChunkSizes {

  public static final long DEFAULT_ATTENTION = 1L << 22;
  public static final long DEFAULT_LOGITS = 1L << 22;
  public static final long DEFAULT_HEAD_SLICE = 1L << 23;

  private static volatile long attention = DEFAULT_ATTENTION;
  private static volatile long logits = DEFAULT_LOGITS;
  private static volatile long headSlice = DEFAULT_HEAD_SLICE;

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

  /** Sets the sizes for the whole JVM (each at least 1); {@link #reset()} restores the defaults. */
  public static void set(long attentionElements, long logitElements, long headSliceElements) {
    if (attentionElements < 1 || logitElements < 1 || headSliceElements < 1) {
      throw new IllegalArgumentException("Chunk sizes must be at least one element; got " + attentionElements + ", "
          + logitElements + ", " + headSliceElements + ".");
    }
    attention = attentionElements;
    logits = logitElements;
    headSlice = headSliceElements;
  }

  public static void reset() {
    set(DEFAULT_ATTENTION, DEFAULT_LOGITS, DEFAULT_HEAD_SLICE);
  }
}
