package org.lorafleet.trainer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.lorafleet.trainer.safetensors.DType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The precision the frozen base is held in ({@code model.dtype}). Half precision halves the weights'
 * memory; every GEMM still runs in float32 on an upcast copy of one layer, so only the weights'
 * rounding changes the numbers (none for a bfloat16 file held as bfloat16).
 */
public enum BaseDType {
  /** As stored in the checkpoint file (float64 files are held as float32). */
  AUTO,
  FLOAT32,
  BFLOAT16,
  FLOAT16;

  /** The name in a job file: auto, float32, bfloat16, float16. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a job-file value; the error names the choices. */
  public static BaseDType parse(String value) {
    for (BaseDType d : values()) {
      if (d.configName().equals(value)) {
        return d;
      }
    }
    throw new IllegalArgumentException("Unknown model dtype '" + value + "'; choose one of "
        + Arrays.stream(values()).map(BaseDType::configName).collect(Collectors.joining(", ")) + ".");
  }

  /** The ND4J type a tensor stored as {@code file} is held in. */
  DataType arrayType(DType file) {
    return switch (this) {
      case FLOAT32 -> DataType.FLOAT;
      case BFLOAT16 -> DataType.BFLOAT16;
      case FLOAT16 -> DataType.HALF;
      case AUTO -> switch (file) {
        case BF16 -> DataType.BFLOAT16;
        case F16 -> DataType.HALF;
        default -> DataType.FLOAT;
      };
    };
  }
}
