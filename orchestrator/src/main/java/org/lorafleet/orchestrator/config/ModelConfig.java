package org.lorafleet.orchestrator.config;

import java.util.Locale;

/**
 * Section {@code model}: the frozen base model and where training starts from.
 *
 * @param path Hugging Face model folder (config.json, *.safetensors, tokenizer.json): a local path
 *     (relative to the working directory) or any Hadoop URI ({@code hdfs://}, {@code file://}). Required.
 * @param backend {@code cpu} (default), {@code cuda}, or {@code auto} (CUDA when ND4J finds a usable GPU)
 * @param adapter a PEFT adapter folder to start from instead of a fresh adapter; default null
 */
public record ModelConfig(String path, Backend backend, String adapter) {

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
    c.done();
  }

  static ModelConfig read(ConfigNode n) {
    String path = n.requiredString("path");
    Backend backend = n.choice("backend", Backend.CPU, Backend.class);
    String adapter = n.string("adapter", null);
    return n.attempt(() -> new ModelConfig(path, backend, adapter));
  }
}
