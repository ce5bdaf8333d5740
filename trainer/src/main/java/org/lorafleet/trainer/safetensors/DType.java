package org.lorafleet.trainer.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types this project understands in a safetensors header, with their sizes in bytes. */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Size of one element in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /** The name used in the {@code dtype} field of a safetensors header. */
  public String headerName() {
    return name();
  }

  /** True for the floating-point types that {@link SafetensorsFile#readFloat} converts. */
  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /** True for the integer types that {@link SafetensorsFile#readLong} converts. */
  public boolean isInteger() {
    return this == I64 || this == I32 || this == I16 || this == I8 || this == U8;
  }

  /**
   * Parses the {@code dtype} field of a safetensors header (case-sensitive, as the format defines it).
   *
   * @throws IllegalArgumentException if the name is not one of the supported dtypes
   */
  public static DType fromHeader(String name) {
    if (name != null) {
      for (DType t : values()) {
        if (t.name().equals(name)) {
          return t;
        }
      }
    }
    String known = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    throw new IllegalArgumentException("Unknown safetensors dtype '" + name + "'; supported dtypes are "
        + known + ".");
  }
}
