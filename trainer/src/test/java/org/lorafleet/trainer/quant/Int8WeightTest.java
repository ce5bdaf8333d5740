package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.trainer.quant.QuantTestData.absmax;
import static org.lorafleet.trainer.quant.QuantTestData.array;
import static org.lorafleet.trainer.quant.QuantTestData.gaussian;
import static org.lorafleet.trainer.quant.QuantTestData.roundTrip;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafleet.trainer.nn.FrozenWeight;

/** Per-output-channel int8: error bound, exact grid values, layouts, size, zero channels. */
class Int8WeightTest {

  private static final int OUT = 37;
  private static final int IN = 50; // int8 has no group constraint

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void errorIsAtMostHalfAStepOfTheChannelGrid(boolean inOut) {
    float[] w = gaussian(OUT * IN, 1);
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.INT8, false);
    for (int o = 0; o < OUT; o++) {
      double scale = absmax(w, o * IN, (o + 1) * IN) / 127; // one scale per output channel
      for (int i = 0; i < IN; i++) {
        int at = o * IN + i;
        double err = Math.abs(w[at] - back[at]);
        assertTrue(err <= scale / 2 * (1 + 1e-5), "channel " + o + ", input " + i + ": error " + err + " > scale/2");
        double steps = back[at] / scale;
        assertTrue(Math.abs(steps - Math.rint(steps)) < 1e-3 && Math.abs(steps) <= 127 + 1e-3,
            "value " + back[at] + " is not on the channel's grid of " + scale);
      }
    }
  }

  @Test
  void valuesOnTheGridComeBackExactly() {
    Random rnd = new Random(2);
    float[] w = new float[OUT * IN];
    for (int o = 0; o < OUT; o++) {
      float scale = (float) Math.scalb(1.0, -3 - rnd.nextInt(12)); // exact in float
      for (int i = 0; i < IN; i++) {
        w[o * IN + i] = (rnd.nextInt(255) - 127) * scale;
      }
      w[o * IN + rnd.nextInt(IN)] = (rnd.nextBoolean() ? 127 : -127) * scale; // fixes absmax
    }
    assertArrayEquals(w, roundTrip(w, OUT, IN, false, Quantization.INT8, false));
    assertArrayEquals(w, roundTrip(w, OUT, IN, true, Quantization.INT8, false));
  }

  @Test
  void bothLayoutsGiveTheSameNumbers() {
    float[] w = gaussian(OUT * IN, 3);
    assertArrayEquals(roundTrip(w, OUT, IN, false, Quantization.INT8, false),
        roundTrip(w, OUT, IN, true, Quantization.INT8, false));
  }

  @Test
  void sizeIsOneBytePerValuePlusAScalePerChannel() {
    FrozenWeight q = Quantizer.quantize(array(gaussian(OUT * IN, 4), OUT, IN), false, Quantization.INT8, false);
    assertEquals((long) OUT * IN + 4L * OUT, q.bytes());
    assertEquals("int8", q.form());
    assertArrayEquals(new long[] {OUT, IN}, q.shape());
    FrozenWeight t = Quantizer.quantize(array(gaussian(OUT * IN, 4), IN, OUT), true, Quantization.INT8, true);
    assertEquals((long) OUT * IN + 4L * OUT, t.bytes(), "[in, out]: one scale per column; double quantisation is for 4-bit scales only");
  }

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void anAllZeroChannelDecodesToZeros(boolean inOut) {
    float[] w = gaussian(OUT * IN, 5);
    for (int i = 0; i < IN; i++) {
      w[4 * IN + i] = 0f;
    }
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.INT8, false);
    for (int i = 0; i < IN; i++) {
      assertTrue(back[4 * IN + i] == 0f, "channel 4 is all zeros");
    }
    for (float v : back) {
      assertTrue(Float.isFinite(v), "no division by a zero scale");
    }
  }
}
