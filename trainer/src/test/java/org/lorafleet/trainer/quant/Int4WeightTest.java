package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.trainer.quant.QuantTestData.GROUP;
import static org.lorafleet.trainer.quant.QuantTestData.array;
import static org.lorafleet.trainer.quant.QuantTestData.gaussian;
import static org.lorafleet.trainer.quant.QuantTestData.largestDeviationFromMean;
import static org.lorafleet.trainer.quant.QuantTestData.roundTrip;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafleet.trainer.nn.FrozenWeight;

/** Asymmetric int4 groups of 64: error bound, exact grid values, layouts, size, double quantisation. */
class Int4WeightTest {

  private static final int OUT = 48;
  private static final int IN = 512;

  /** (max - min) / 15 of a group whose range is widened to include 0. */
  private static double step(float[] w, int group) {
    double min = 0;
    double max = 0;
    for (int at = group * GROUP; at < (group + 1) * GROUP; at++) {
      min = Math.min(min, w[at]);
      max = Math.max(max, w[at]);
    }
    return (max - min) / 15;
  }

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void errorIsAtMostHalfAStepAndAGroupUsesAtMostSixteenValues(boolean inOut) {
    float[] w = gaussian(OUT * IN, 21);
    for (int j = 0; j < GROUP; j++) {
      w[5 * GROUP + j] = 0.5f + 0.01f * j; // an all-positive group: 0 must stay in range
    }
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.INT4, false);
    double[] backs = toDouble(back);
    for (int g = 0; g < OUT * IN / GROUP; g++) {
      double s = step(w, g);
      for (int at = g * GROUP; at < (g + 1) * GROUP; at++) {
        double err = Math.abs(w[at] - back[at]);
        assertTrue(err <= s / 2 * (1 + 1e-5), "value " + at + ": error " + err + " > step/2 = " + s / 2);
      }
      long distinct = Arrays.stream(Arrays.copyOfRange(backs, g * GROUP, (g + 1) * GROUP)).distinct().count();
      assertTrue(distinct <= 16, "group " + g + " decodes to " + distinct + " values");
    }
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  @Test
  void valuesOnTheGridComeBackExactly() {
    Random rnd = new Random(22);
    float[] w = new float[OUT * IN];
    for (int g = 0; g < OUT * IN / GROUP; g++) {
      float s = (float) Math.scalb(1.0, -4 - rnd.nextInt(10)); // exact in float
      int zero = rnd.nextInt(16);
      for (int j = 0; j < GROUP; j++) {
        w[g * GROUP + j] = (rnd.nextInt(16) - zero) * s;
      }
      w[g * GROUP + 3] = -zero * s; // code 0 and code 15 fix the range
      w[g * GROUP + 40] = (15 - zero) * s;
    }
    assertArrayEquals(w, roundTrip(w, OUT, IN, false, Quantization.INT4, false));
    assertArrayEquals(w, roundTrip(w, OUT, IN, true, Quantization.INT4, false));
  }

  @ParameterizedTest(name = "doubleQuant={0}")
  @ValueSource(booleans = {false, true})
  void bothLayoutsGiveTheSameNumbers(boolean doubleQuant) {
    int out = 37; // odd: in [in, out] rows start in the middle of a byte
    int in = 192;
    float[] w = gaussian(out * in, 23);
    assertArrayEquals(roundTrip(w, out, in, false, Quantization.INT4, doubleQuant),
        roundTrip(w, out, in, true, Quantization.INT4, doubleQuant));
  }

  @Test
  void sizeIsHalfAByteAValuePlusScaleAndZeroPointPerGroup() {
    long n = (long) OUT * IN;
    long groups = n / 64;
    FrozenWeight q = Quantizer.quantize(array(gaussian(OUT * IN, 24), OUT, IN), false, Quantization.INT4, false);
    assertEquals(n / 2 + 4 * groups + groups, q.bytes());
    assertEquals("int4", q.form());
    FrozenWeight dq = Quantizer.quantize(array(gaussian(OUT * IN, 24), OUT, IN), false, Quantization.INT4, true);
    assertEquals(n / 2 + groups + 4 * ((groups + 255) / 256) + 4 + groups, dq.bytes());
    assertTrue(((Int4Weight) dq).doubleQuantized());
  }

  @ParameterizedTest(name = "inOut={0}")
  @ValueSource(booleans = {false, true})
  void doubleQuantisedScalesAddAtMostFifteenHalfStepsOfTheScaleGrid(boolean inOut) {
    float[] w = gaussian(OUT * IN, 25);
    float[] back = roundTrip(w, OUT, IN, inOut, Quantization.INT4, true);
    double[] steps = new double[OUT * IN / GROUP];
    for (int g = 0; g < steps.length; g++) {
      steps[g] = step(w, g);
    }
    // ŵ = (q - z) * ŝ with |q - z| <= 15 and |ŝ - s| <= (block's max |s - mean|) / 254.
    double scaleError = largestDeviationFromMean(steps) / 254 * (1 + 1e-4) + 1e-9;
    for (int at = 0; at < w.length; at++) {
      double err = Math.abs(w[at] - back[at]);
      assertTrue(err <= steps[at / GROUP] / 2 * (1 + 1e-5) + 15 * scaleError, "value " + at + ": error " + err);
    }
    assertFalse(Arrays.equals(back, roundTrip(w, OUT, IN, inOut, Quantization.INT4, false)));
  }

  @ParameterizedTest(name = "doubleQuant={0}")
  @ValueSource(booleans = {false, true})
  void anAllZeroGroupDecodesToZeros(boolean doubleQuant) {
    float[] w = gaussian(OUT * IN, 26);
    Arrays.fill(w, 2 * IN + GROUP, 2 * IN + 2 * GROUP, 0f); // channel 2, group 1
    for (boolean inOut : new boolean[] {false, true}) {
      float[] back = roundTrip(w, OUT, IN, inOut, Quantization.INT4, doubleQuant);
      for (int at = 2 * IN + GROUP; at < 2 * IN + 2 * GROUP; at++) {
        assertTrue(back[at] == 0f, "value " + at + " of the zero group is " + back[at]);
      }
      for (float v : back) {
        assertTrue(Float.isFinite(v), "no division by a zero step");
      }
    }
  }
}
