package org.lorafleet.trainer.quant;

/** The fp32 scales of the 4-bit groups, stored as they are or double-quantised. */
interface GroupScales {

  /** Number of scales. */
  int count();

  /** Writes scales {@code [from, from + len)} to {@code dst[0, len)}. */
  void read(int from, float[] dst, int len);

  /** Bytes the stored form occupies. */
  long bytes();

  /** True when the scales are stored in 8 bits (double quantisation). */
  boolean doubleQuantized();

  /** Stores {@code scales} (not copied; the caller hands them over). */
  static GroupScales of(float[] scales, boolean doubleQuant) {
    return doubleQuant ? new DoubleQuantizedScales(scales) : new PlainScales(scales);
  }
}
