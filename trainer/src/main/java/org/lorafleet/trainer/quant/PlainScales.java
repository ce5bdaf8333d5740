package org.lorafleet.trainer.quant;

/** Group scales kept in fp32: 4 bytes each. */
final class PlainScales implements GroupScales {

  private final float[] scales;

  PlainScales(float[] scales) {
    this.scales = scales;
  }

  @Override
  public int count() {
    return scales.length;
  }

  @Override
  public void read(int from, float[] dst, int len) {
    System.arraycopy(scales, from, dst, 0, len);
  }

  @Override
  public long bytes() {
    return 4L * scales.length;
  }

  @Override
  public boolean doubleQuantized() {
    return false;
  }
}
