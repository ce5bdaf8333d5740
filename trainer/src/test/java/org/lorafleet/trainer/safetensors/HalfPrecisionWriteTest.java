package org.lorafleet.trainer.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;

/** float32 → bf16/fp16 rounding (nearest, ties to even) and writing tensors in those dtypes. */
class HalfPrecisionWriteTest {

  @Test
  void everySixteenBitValueRoundTripsAndTiesGoToEven() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float h = HalfFloats.halfToFloat(bits);
      if (!Float.isNaN(h)) {
        assertEquals(bits, HalfFloats.floatToHalf(h), "half " + Integer.toHexString(bits));
      }
      float b = HalfFloats.bf16ToFloat(bits);
      if (!Float.isNaN(b)) {
        assertEquals(bits, HalfFloats.floatToBf16(b), "bf16 " + Integer.toHexString(bits));
      }
    }
    // halfway between bf16 1.0 (0x3f80) and the next value (0x3f81): ties to the even 0x3f80
    assertEquals(0x3f80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000)));
    assertEquals(0x3f82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000)));
    assertEquals(0x3c00, HalfFloats.floatToHalf(1.0f + 0x1p-11f)); // half of an fp16 ulp above 1: to even
    assertEquals(0x3c02, HalfFloats.floatToHalf(1.0f + 3 * 0x1p-11f));
    assertEquals(0x7c00, HalfFloats.floatToHalf(70000f)); // overflow → +inf
    assertEquals(0x0001, HalfFloats.floatToHalf(0x1p-24f)); // smallest subnormal
    assertEquals(0x0000, HalfFloats.floatToHalf(0x1p-26f));
  }

  @Test
  void tensorsAreWrittenInTheirDtypes(@TempDir Path tmp) {
    float[] v = {1.0f, -2.5f, 0.1f, 3.14159f, 1e-3f, 65504f};
    Map<String, FloatTensor> t = new LinkedHashMap<>();
    t.put("a", new FloatTensor(new long[] {2, 3}, v.clone()));
    t.put("b", new FloatTensor(new long[] {6}, v.clone()));
    t.put("c", new FloatTensor(new long[] {6}, v.clone()));
    Path file = tmp.resolve("x.safetensors");
    SafetensorsWriter.write(file, t, Map.of("a", DType.BF16, "b", DType.F16), Map.of());
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertEquals(DType.BF16, f.dtype("a"));
      assertEquals(DType.F16, f.dtype("b"));
      assertEquals(DType.F32, f.dtype("c"));
      float[] a = f.readFloat("a").data();
      float[] b = f.readFloat("b").data();
      float[] c = f.readFloat("c").data();
      for (int i = 0; i < v.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i])), a[i]);
        assertEquals(HalfFloats.halfToFloat(HalfFloats.floatToHalf(v[i])), b[i]);
        assertEquals(v[i], c[i]);
      }
    }
  }
}
