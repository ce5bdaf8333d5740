package org.lorafleet.trainer.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;

class SafetensorsConversionTest {

  @TempDir
  Path dir;

  private static void assertBits(float expected, float actual) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
        () -> "expected " + expected + " but got " + actual);
  }

  @Test
  void halfToFloatMatchesHandComputedValues() {
    assertBits(0.0f, HalfFloats.halfToFloat(0x0000));
    assertBits(-0.0f, HalfFloats.halfToFloat(0x8000));
    assertBits(1.0f, HalfFloats.halfToFloat(0x3C00));
    assertBits(-2.0f, HalfFloats.halfToFloat(0xC000));
    assertBits(0.333251953125f, HalfFloats.halfToFloat(0x3555)); // 2^-2 * (1 + 341/1024)
    assertBits(65504.0f, HalfFloats.halfToFloat(0x7BFF)); // largest finite half
    assertBits(0x1p-14f, HalfFloats.halfToFloat(0x0400)); // smallest normal
    assertBits(0x1p-24f, HalfFloats.halfToFloat(0x0001)); // smallest subnormal
    assertBits(-0x1p-24f, HalfFloats.halfToFloat(0x8001));
    assertBits(1023 * 0x1p-24f, HalfFloats.halfToFloat(0x03FF)); // largest subnormal
    assertBits(Float.POSITIVE_INFINITY, HalfFloats.halfToFloat(0x7C00));
    assertBits(Float.NEGATIVE_INFINITY, HalfFloats.halfToFloat(0xFC00));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0x7E00)));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0x7C01)));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(0xFE00)));
  }

  @Test
  void halfToFloatIsExactForEveryFiniteValue() {
    // Every finite half is m * 2^e with |m| < 2^11: compare with a computation in double.
    for (int bits = 0; bits < 0x10000; bits++) {
      int exp = (bits >>> 10) & 0x1f;
      if (exp == 0x1f) {
        continue;
      }
      int mant = bits & 0x3ff;
      double v = exp == 0 ? mant * Math.pow(2, -24) : (1024 + mant) * Math.pow(2, exp - 25);
      if ((bits & 0x8000) != 0) {
        v = -v;
      }
      float f = HalfFloats.halfToFloat(bits);
      assertEquals(v, (double) f, 0.0, "half bits " + Integer.toHexString(bits));
      assertEquals((bits & 0x8000) != 0, (Float.floatToRawIntBits(f) & 0x8000_0000) != 0);
    }
  }

  @Test
  void bf16ToFloatMatchesHandComputedValues() {
    assertBits(1.0f, HalfFloats.bf16ToFloat(0x3F80));
    assertBits(-3.0f, HalfFloats.bf16ToFloat(0xC040));
    assertBits(3.140625f, HalfFloats.bf16ToFloat(0x4049));
    assertBits(0x1p-133f, HalfFloats.bf16ToFloat(0x0001)); // smallest subnormal bfloat16
    assertBits(0x1.FEp127f, HalfFloats.bf16ToFloat(0x7F7F)); // largest finite bfloat16
    assertBits(-0.0f, HalfFloats.bf16ToFloat(0x8000));
    assertBits(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat(0x7F80));
    assertBits(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat(0xFF80));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(0x7FC0)));
  }

  @Test
  void readsF16Bf16F64AndIntegerTensorsFromAFile() throws Exception {
    byte[] f16 = SafetensorsTestFiles.shorts(0x3C00, 0x8000, 0x0001, 0x7C00);
    byte[] bf16 = SafetensorsTestFiles.shorts(0x4049, 0xC040);
    byte[] f64 = SafetensorsTestFiles.doubles(0.1, -1e300);
    byte[] i32 = SafetensorsTestFiles.ints(-100, 7, Integer.MAX_VALUE);
    byte[] data = concat(f16, bf16, f64, i32);
    int a = f16.length;
    int b = a + bf16.length;
    int c = b + f64.length;
    int d = c + i32.length;
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0," + a + "]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + a + "," + b + "]},"
        + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[" + b + "," + c + "]},"
        + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,3],\"data_offsets\":[" + c + "," + d + "]}}";
    Path file = SafetensorsTestFiles.write(dir.resolve("mixed.safetensors"), header, data);
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertEquals(java.util.List.of("h", "b", "d", "i"), java.util.List.copyOf(st.names()));
      assertEquals(DType.F16, st.dtype("h"));
      FloatTensor h = st.readFloat("h");
      assertArrayEquals(new long[] {2, 2}, h.shape());
      assertArrayEquals(new float[] {1.0f, -0.0f, 0x1p-24f, Float.POSITIVE_INFINITY}, h.data());
      assertBits(-0.0f, h.data()[1]);
      assertArrayEquals(new float[] {3.140625f, -3.0f}, st.readFloat("b").data());
      assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, st.readFloat("d").data());
      assertArrayEquals(new long[] {-100, 7, Integer.MAX_VALUE}, st.readLong("i"));
      assertEquals("pt", st.metadata().get("format"));
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
