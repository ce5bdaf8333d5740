package org.lorafleet.trainer.safetensors;

/**
 * Conversions between float32 and the 16-bit float formats (Java 17 has no
 * {@code Float.float16ToFloat}). Every IEEE half and every bfloat16 value is representable in
 * float32, so widening is exact, including subnormals, infinities, NaN payloads and the sign of
 * zero; narrowing rounds to nearest, ties to even (as torch's {@code .to(dtype)}).
 */
public final class HalfFloats {

  private HalfFloats() {
  }

  /** Converts IEEE 754 binary16 bits (the low 16 bits of {@code bits}) to float32. */
  public static float halfToFloat(int bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      // Infinity (mantissa 0) or NaN; the payload moves to the top of the float mantissa.
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
    }
    if (exponent == 0) {
      if (mantissa == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: mantissa * 2^-24; the product is exact in float32.
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    // Normal: rebias the exponent from 15 to 127.
    return Float.intBitsToFloat(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
  }

  /** Converts bfloat16 bits (the low 16 bits of {@code bits}) to float32: they are its top half. */
  public static float bf16ToFloat(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** float32 → bfloat16 bits, rounded to nearest even; NaN stays a (quiet) NaN. */
  public static int floatToBf16(float f) {
    int b = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return ((b >>> 16) | 0x40) & 0xffff;
    }
    int lsb = (b >>> 16) & 1;
    return ((b + 0x7fff + lsb) >>> 16) & 0xffff;
  }

  /** float32 → IEEE binary16 bits, rounded to nearest even; overflow gives infinity. */
  public static int floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return sign | 0x7c00;
    }
    if (e <= 0) { // a half subnormal (or zero): m · 2^-24 with m = mant24 >> (14 − e)
      if (e < -10) {
        return sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rem > halfway || (rem == halfway && (half & 1) != 0)) {
        half++;
      }
      return sign | half;
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is right (up to infinity)
    }
    return sign | half;
  }
}
