package org.lorafleet.trainer.quant;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How frozen 2-D base weights are stored: as loaded, or quantised. */
public enum Quantization {
  /** Kept as in the checkpoint (float32, bfloat16 or float16). */
  NONE("none"),
  /** Symmetric int8, one scale per output channel. */
  INT8("int8"),
  /** 4-bit NormalFloat, groups of 64 along the input dimension (QLoRA). */
  NF4("nf4"),
  /** Asymmetric int4 with a zero point, groups of 64 along the input dimension. */
  INT4("int4");

  private final String configName;

  Quantization(String configName) {
    this.configName = configName;
  }

  /** The name used in configs and logs: none, int8, nf4, int4. */
  public String configName() {
    return configName;
  }

  /** True for the 4-bit group formats (nf4, int4). */
  public boolean grouped() {
    return this == NF4 || this == INT4;
  }

  /** The mode a config names (case and surrounding blanks ignored). */
  public static Quantization parse(String name) {
    if (name != null) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      for (Quantization q : values()) {
        if (q.configName.equals(key)) {
          return q;
        }
      }
    }
    String choices = Arrays.stream(values()).map(Quantization::configName).collect(Collectors.joining(", "));
    String shown = name == null ? "nothing" : "\"" + name + "\"";
    throw new IllegalArgumentException("Unknown quantisation " + shown + "; choose one of " + choices + ".");
  }
}
