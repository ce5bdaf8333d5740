package org.lorafleet.orchestrator.config;

import java.util.Locale;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.quant.Quantization;

/**
 * Section {@code model}: the frozen base model and where training starts from.
 *
 * @param path Hugging Face model folder (config.json, *.safetensors, tokenizer.json): a local path
 *     (relative to the working directory) or any Hadoop URI ({@code hdfs://}, {@code file://}). Required.
 * @param backend {@code cpu} (default), {@code cuda}, or {@code auto} (CUDA when ND4J finds a usable GPU)
 * @param adapter a PEFT adapter folder to start from instead of a fresh adapter; default null
 * @param dtype precision the frozen base is held in: {@code auto} (default: as in the checkpoint file),
 *     {@code float32}, {@code bfloat16} or {@code float16}. Compute stays float32
 * @param quantize quantise the decoder layers' frozen linear weights at load time: {@code none}
 *     (default), {@code int8} (per output channel), {@code nf4} or {@code int4} (groups of 64 inputs)
 * @param doubleQuant also quantise the 4-bit formats' group scales to 8 bits (QLoRA); default false
 * @param hubStageDir a Hadoop folder shared by the cluster where a {@code path} given by Hub id is staged
 *     once per commit for the executors; default null: {@code <parent of output.dir>/.hub-cache} when the
 *     output is on a Hadoop file system
 */
public record ModelConfig(String path, Backend backend, String adapter, BaseDType dtype, Quantization quantize,
    boolean doubleQuant, String hubStageDir) {

  static final String SECTION = "model";

  /** Where the model runs. */
  public enum Backend implements YamlNamed {
    CPU, CUDA, AUTO;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ModelConfig {
    Checks c = new Checks(SECTION);
    c.notBlank("path", path);
    c.check(backend != null, "backend", "is required");
    c.nullOrNotBlank("adapter", adapter);
    c.check(dtype != null, "dtype", "is required");
    c.check(quantize != null, "quantize", "is required");
    c.nullOrNotBlank("hub_stage_dir", hubStageDir);
    c.check(!doubleQuant || quantize == Quantization.NF4 || quantize == Quantization.INT4, "double_quant",
        "applies to the 4-bit formats only; set model.quantize to nf4 or int4, or double_quant to false");
    c.done();
  }

  /** A float32 base on the CPU, nothing quantised. */
  public ModelConfig(String path, Backend backend, String adapter) {
    this(path, backend, adapter, BaseDType.AUTO, Quantization.NONE, false, null);
  }

  /** How the trainer holds the base. */
  public LoadOptions loadOptions() {
    return new LoadOptions(dtype, quantize, doubleQuant);
  }

  static ModelConfig read(ConfigNode n) {
    String path = n.requiredString("path");
    Backend backend = n.choice("backend", Backend.CPU, Backend.class);
    String adapter = n.string("adapter", null);
    BaseDType dtype = n.choice("dtype", BaseDType.AUTO, BaseDType.class, BaseDType::configName);
    Quantization quantize = n.choice("quantize", Quantization.NONE, Quantization.class, Quantization::configName);
    boolean doubleQuant = n.bool("double_quant", false);
    String hubStageDir = n.string("hub_stage_dir", null);
    return n.attempt(() -> new ModelConfig(path, backend, adapter, dtype, quantize, doubleQuant, hubStageDir));
  }
}
