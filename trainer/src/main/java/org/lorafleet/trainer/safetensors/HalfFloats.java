package org.lorafleet.trainer.safetensors;

/**
 * Exact conversions from the 16-bit float formats to float32 (Java 17 has no
 * {@code Float.float16ToFloat}). Every IEEE half and every bfloat16 value is representable in
 * float32, so both conversions are exact, including subnormals, infinities, NaN payloads and the sign
 * of zero.
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
}
