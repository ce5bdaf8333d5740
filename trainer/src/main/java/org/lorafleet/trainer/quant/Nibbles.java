package org.lorafleet.trainer.quant;

/**
 * Two 4-bit codes per byte: element e of the flat (C-order) stored array sits in byte e / 2, the
 * low nibble for even e and the high nibble for odd e.
 */
final class Nibbles {

  private Nibbles() {}

  /** Packs {@code count} (even) codes in [0, 15] into {@code count / 2} bytes. */
  static void pack(byte[] codes, int count, byte[] packed) {
    for (int i = 0, b = 0; i < count; i += 2, b++) {
      packed[b] = (byte) (codes[i] | codes[i + 1] << 4);
    }
  }

  /** Bytes holding the {@code count} codes that start at flat element {@code first}. */
  static int span(long first, int count) {
    return (int) (((first + count + 1) >> 1) - (first >> 1));
  }
}
