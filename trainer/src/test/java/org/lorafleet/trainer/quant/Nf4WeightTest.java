package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.trainer.quant.QuantTestData.GROUP;
import static org.lorafleet.trainer.quant.QuantTestData.NF4;
import static org.lorafleet.trainer.quant.QuantTestData.absmax;
import static org.lorafleet.trainer.quant.QuantTestData.array;
import static org.lorafleet.trainer.quant.QuantTestData.gaussian;
import static org.lorafleet.trainer.quant.QuantTestData.largestDeviationFromMean;
import static org.lorafleet.trainer.quant.QuantTestData.nf4HalfWidestGap;
import static org.lorafleet.trainer.quant.QuantTestData.roundTrip;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafleet.trainer.nn.FrozenWeight;

/** NF4 groups of 64: nearest codebook value, error bound, exact grid values, layouts, size, double quantisation. */
class Nf4WeightTest {

  private static final int OUT = 48;
  private static final int IN = 512; // 8 groups per channel, 384 groups: two double-quantisation blocks

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void everyValueBecomesTheNearestCodebookValueOfItsGroup(boolean inOut) {
    float[] w = gaussian(OUT * IN, 11);
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.NF4, false);
    double bound = nf4HalfWidestGap();
    assertEquals(0.1519, bound, 1e-4, "the widest gap is [-1, -0.696]");
    for (int g = 0; g < OUT * IN / GROUP; g++) { // canonical [out, in]: groups are runs of 64
      double a = absmax(w, g * GROUP, (g + 1) * GROUP);
      for (int at = g * GROUP; at < (g + 1) * GROUP; at++) {
        double x = w[at] / a;
        double best = Arrays.stream(NF4).map(v -> Math.abs(x - v)).min().orElseThrow();
        double got = back[at] / a;
        assertTrue(Arrays.stream(NF4).anyMatch(v -> Math.abs(v - got) < 1e-6), got + " is not an NF4 value");
        assertTrue(Math.abs(x - got) <= best + 1e-6, "value " + at + ": " + got + " is not the nearest to " + x);
        assertTrue(Math.abs(w[at] - back[at]) <= a * bound * (1 + 1e-5), "value " + at + " exceeds absmax * half gap");
      }
    }
  }

  @Test
  void valuesOnTheGridComeBackExactly() {
    Random rnd = new Random(12);
    float[] w = new float[OUT * IN];
    for (int g = 0; g < OUT * IN / GROUP; g++) {
      float absmax = (float) Math.scalb(1.0, -2 - rnd.nextInt(10)); // NF4[k] * 2^e is exact
      for (int j = 0; j < GROUP; j++) {
        w[g * GROUP + j] = (float) NF4[rnd.nextInt(16)] * absmax;
      }
      w[g * GROUP + rnd.nextInt(GROUP)] = rnd.nextBoolean() ? absmax : -absmax; // fixes the absmax
    }
    assertArrayEquals(w, roundTrip(w, OUT, IN, false, Quantization.NF4, false));
    assertArrayEquals(w, roundTrip(w, OUT, IN, true, Quantization.NF4, false));
  }

  @ParameterizedTest(name = "doubleQuant={0}")
  @ValueSource(booleans = {false, true})
  void bothLayoutsGiveTheSameNumbers(boolean doubleQuant) {
    int out = 37; // odd: in [in, out] rows start in the middle of a byte
    int in = 128;
    float[] w = gaussian(out * in, 13);
    assertArrayEquals(roundTrip(w, out, in, false, Quantization.NF4, doubleQuant),
        roundTrip(w, out, in, true, Quantization.NF4, doubleQuant));
  }

  @Test
  void sizeIsHalfAByteAValuePlusAScalePerGroup() {
    long n = (long) OUT * IN;
    FrozenWeight q = Quantizer.quantize(array(gaussian(OUT * IN, 14), OUT, IN), false, Quantization.NF4, false);
    assertEquals(n / 2 + 4 * n / 64, q.bytes());
    assertEquals("nf4", q.form());
    FrozenWeight dq = Quantizer.quantize(array(gaussian(OUT * IN, 14), IN, OUT), true, Quantization.NF4, true);
    long scales = n / 64;
    assertEquals(n / 2 + scales + 4 * ((scales + 255) / 256) + 4, dq.bytes(), "8-bit scales, an fp32 per 256, the mean");
    assertTrue(((Nf4Weight) dq).doubleQuantized());
    assertFalse(((Nf4Weight) q).doubleQuantized());
  }

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void doubleQuantisedScalesAddAtMostHalfAStepOfTheScaleGrid(boolean inOut) {
    float[] w = gaussian(OUT * IN, 15);
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.NF4, true);
    float[] single = roundTrip(w, OUT, IN, inOut, Quantization.NF4, false);
    double[] absmax = new double[OUT * IN / GROUP];
    for (int g = 0; g < absmax.length; g++) {
      absmax[g] = absmax(w, g * GROUP, (g + 1) * GROUP);
    }
    // |â - a| <= (block's max |a - mean|) / 127 / 2, and |code| <= 1 scales it into the value.
    double scaleError = largestDeviationFromMean(absmax) / 254 * (1 + 1e-4) + 1e-9;
    double worst = 0;
    for (int at = 0; at < w.length; at++) {
      double a = absmax[at / GROUP];
      double err = Math.abs(w[at] - back[at]);
      worst = Math.max(worst, err / a);
      assertTrue(err <= a * nf4HalfWidestGap() * (1 + 1e-5) + scaleError, "value " + at + ": error " + err);
      assertTrue(Math.abs(back[at] - single[at]) <= scaleError, "value " + at + " moved more than the scale error");
    }
    assertTrue(worst > 0.05, "the data exercise the bound (worst relative error " + worst + ")");
    assertFalse(Arrays.equals(back, single), "double quantisation changes the scales");
  }

  @ParameterizedTest(name = "doubleQuant={0}")
  @ValueSource(booleans = {false, true})
  void anAllZeroGroupDecodesToZeros(boolean doubleQuant) {
    float[] w = gaussian(OUT * IN, 16);
    Arrays.fill(w, 3 * GROUP, 4 * GROUP, 0f); // channel 0, group 3
    float[] back = roundTrip(w, OUT, IN, false, Quantization.NF4, doubleQuant);
    for (int at = 3 * GROUP; at < 4 * GROUP; at++) {
      assertTrue(back[at] == 0f, "value " + at + " of the zero group is " + back[at]);
    }
    for (float v : back) {
      assertTrue(Float.isFinite(v), "no division by a zero absmax");
    }
  }
}
