package org.lorafleet.trainer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The precision of the frozen base's matmuls ({@code train.precision}). {@code FP32}: every product in
 * float32 (the reference numerics). {@code BF16}: the base is held in bfloat16 and each product with a
 * frozen dense weight (the layers' linears and the vocabulary head, forward and backward) rounds its
 * float32 input to bfloat16 and accumulates in float32 ({@link org.lorafleet.trainer.nn.OneDnnMatmul}),
 * as PyTorch's bf16 autocast does; LoRA, attention, norms, the loss and the optimizer stay float32.
 */
public enum Precision {
  FP32,
  BF16;

  /** The name in a job file: fp32, bf16. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a job-file value; the error names the choices. */
  public static Precision parse(String value) {
    for (Precision p : values()) {
      if (p.configName().equals(value)) {
        return p;
      }
    }
    throw new IllegalArgumentException("Unknown precision '" + value + "'; choose one of "
        + Arrays.stream(values()).map(Precision::configName).collect(Collectors.joining(", ")) + ".");
  }
}
