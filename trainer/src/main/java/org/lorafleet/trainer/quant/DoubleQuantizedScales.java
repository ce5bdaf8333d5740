package org.lorafleet.trainer.quant;

/**
 * Double quantisation of group scales (QLoRA §3): the mean of all scales is subtracted, and the
 * differences are stored as symmetric int8 in blocks of {@link #BLOCK} with one fp32 absmax scale
 * per block: {@code ŝ = code * blockScale + mean}, {@code |ŝ - s| <= blockScale / 2} where
 * {@code blockScale = max |s - mean| / 127} over the block. QLoRA stores the codes as an 8-bit
 * float; a linear int8 grid gives this simple bound instead. Cost: 1 byte per scale plus 4 per
 * block plus 4 for the mean, against 4 per scale.
 */
final class DoubleQuantizedScales implements GroupScales {

  /** Scales per second-level block. */
  static final int BLOCK = 256;

  private final byte[] codes; // [count]
  private final float[] blockScales; // [ceil(count / 256)]
  private final float mean;

  DoubleQuantizedScales(float[] scales) {
    int n = scales.length;
    double sum = 0;
    for (float s : scales) {
      sum += s;
    }
    mean = n == 0 ? 0f : (float) (sum / n);
    codes = new byte[n];
    blockScales = new float[(n + BLOCK - 1) / BLOCK];
    for (int b = 0; b < blockScales.length; b++) {
      int from = b * BLOCK;
      int to = Math.min(n, from + BLOCK);
      float dev = 0f;
      for (int i = from; i < to; i++) {
        dev = Math.max(dev, Math.abs(scales[i] - mean));
      }
      float step = dev / 127f;
      blockScales[b] = step;
      if (step > 0f) {
        for (int i = from; i < to; i++) {
          codes[i] = (byte) Math.max(-127, Math.min(127, Math.round((scales[i] - mean) / step)));
        }
      }
    }
  }

  @Override
  public int count() {
    return codes.length;
  }

  @Override
  public void read(int from, float[] dst, int len) {
    for (int i = 0; i < len; i++) {
      int at = from + i;
      dst[i] = codes[at] * blockScales[at / BLOCK] + mean;
    }
  }

  @Override
  public long bytes() {
    return codes.length + 4L * blockScales.length + 4;
  }

  @Override
  public boolean doubleQuantized() {
    return true;
  }
}
