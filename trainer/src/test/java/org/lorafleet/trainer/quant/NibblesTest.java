package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Two codes per byte, low nibble first (decoding from odd offsets is covered by the odd-width layout tests). */
class NibblesTest {

  @Test
  void evenElementsTakeTheLowNibble() {
    Random rnd = new Random(51);
    byte[] codes = new byte[40];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) rnd.nextInt(16);
    }
    byte[] packed = new byte[20];
    Nibbles.pack(codes, 40, packed);
    for (int e = 0; e < 40; e++) {
      int b = packed[e / 2] & 0xff;
      assertEquals(codes[e], e % 2 == 0 ? b & 15 : b >> 4, "element " + e);
    }
  }

  @Test
  void spanCountsTheBytesARunTouches() {
    assertEquals(1, Nibbles.span(0, 2));
    assertEquals(2, Nibbles.span(1, 2), "elements 1 and 2 sit in bytes 0 and 1");
    assertEquals(1, Nibbles.span(1, 1));
    assertEquals(3, Nibbles.span(1, 5), "elements 1..5: bytes 0, 1, 2");
    assertEquals(448, Nibbles.span(896 * 3, 896));
  }
}
