package org.lorafleet.trainer.lora;

/**
 * Tensor names of a PEFT LoRA adapter file: {@code base_model.model.<module>.lora_A.weight} [r, in]
 * and {@code ...lora_B.weight} [out, r]. In memory PEFT adds the adapter name ({@code .default})
 * before {@code .weight}; files do not.
 */
public final class PeftNames {

  public static final String PREFIX = "base_model.model.";

  private PeftNames() {}

  public static String a(String module) {
    return PREFIX + module + ".lora_A.weight";
  }

  public static String b(String module) {
    return PREFIX + module + ".lora_B.weight";
  }

  /** File key for an in-memory parameter name ({@code ...lora_A.default.weight} → {@code ...lora_A.weight}). */
  public static String fileKey(String inMemoryName) {
    return inMemoryName.replace(".default.weight", ".weight");
  }
}
