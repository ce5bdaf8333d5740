package org.lorafleet.trainer.model;

import java.util.ArrayList;
import java.util.List;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds a {@link CausalLm} from a Hugging Face checkpoint folder, mapping tensor names per family. */
public final class CausalLmLoader {

  /**
   * Where the decoder's tensors live: causal-LM files, the text tower of multimodal Gemma 3 files
   * (transformers 5 and hub layouts), and bare names. Modules are named as transformers 5 names them
   * in memory (so as PEFT names adapter tensors), whatever the file layout.
   */
  private static final List<String> ROTARY_PREFIXES = List.of("model.", "model.language_model.",
      "language_model.model.", "");

  private CausalLmLoader() {}

  /** Reads config.json and every tensor the architecture needs, in float32; fails naming a missing tensor. */
  public static CausalLm load(HfCheckpoint ckpt) {
    return load(ckpt, LoadOptions.FLOAT32);
  }

  /**
   * Reads the model holding its weights as {@code options} say (precision, quantisation). Tensors
   * that cannot be quantised are kept in {@code options.dtype()}; {@code notes} receives one sentence
   * for each such tensor.
   */
  public static CausalLm load(HfCheckpoint ckpt, LoadOptions options, java.util.function.Consumer<String> notes) {
    Nd.init();
    HfModelConfig cfg = HfModelConfigReader.read(ckpt.config(), ckpt.dir().resolve("config.json").toString());
    Tensors t0 = new Tensors(ckpt, "", "", "", options, notes);
    if (options.precision() == Precision.BF16 && !options.bf16Kernels()) {
      notes.accept("The bfloat16 kernel cannot run here (this CPU has neither AVX512_BF16 nor AMX, or the build "
          + "lacks oneDNN's native library), so bf16 precision holds the base in bfloat16 but multiplies it in "
          + "float32 (as model.dtype: bfloat16 does).");
    }
    return cfg.architecture() == Architecture.GPT2 ? gpt2(cfg, ckpt, t0) : rotary(cfg, ckpt, t0);
  }

  /** {@link #load(HfCheckpoint, LoadOptions, java.util.function.Consumer)} without notes. */
  public static CausalLm load(HfCheckpoint ckpt, LoadOptions options) {
    return load(ckpt, options, note -> { });
  }

  private static CausalLm gpt2(HfModelConfig cfg, HfCheckpoint ck, Tensors t0) {
    // GPT2LMHeadModel files use "transformer."; the original OpenAI files have bare names.
    String prefix = ck.has("transformer.wte.weight") ? "transformer." : "";
    Tensors t = new Tensors(ck, prefix, "", "", t0.options(), t0.notes());
    List<DecoderBlock> blocks = new ArrayList<>();
    for (int i = 0; i < cfg.layers(); i++) {
      String p = "h." + i + ".";
      blocks.add(new Gpt2Block(cfg, t.get(p + "ln_1.weight"), t.get(p + "ln_1.bias"), t.get(p + "ln_2.weight"),
          t.get(p + "ln_2.bias"),
          conv1d(t, p + "attn.c_attn", cfg.hidden(), 3 * cfg.hidden()),
          conv1d(t, p + "attn.c_proj", cfg.hidden(), cfg.hidden()),
          conv1d(t, p + "mlp.c_fc", cfg.hidden(), cfg.intermediate()),
          conv1d(t, p + "mlp.c_proj", cfg.intermediate(), cfg.hidden())));
    }
    INDArray wte = t.stored("wte.weight", cfg.vocabSize(), cfg.hidden());
    return new CausalLm(cfg, wte, t.stored("wpe.weight", cfg.maxPositions(), cfg.hidden()), blocks,
        t.get("ln_f.weight"), t.get("ln_f.bias"), wte, t.options().bf16Kernels());
  }

  private static LoraLinear conv1d(Tensors t, String module, int in, int out) {
    FrozenWeight w = t.weight(module + ".weight", true, in, out); // Conv1D: [in, out]
    return new LoraLinear("transformer." + module, w, true, t.get(module + ".bias"));
  }

  /** Llama, Qwen2/3, Mistral, Phi-3 and Gemma 3: {@code <prefix>layers.N.…} with nn.Linear weights. */
  private static CausalLm rotary(HfModelConfig cfg, HfCheckpoint ck, Tensors t0) {
    String prefix = ROTARY_PREFIXES.stream().filter(p -> ck.has(p + "embed_tokens.weight")).findFirst()
        .orElse("model.");
    Tensors t = new Tensors(ck, "", prefix, modulePrefix(prefix), t0.options(), t0.notes());
    DecoderSpec d = cfg.decoder();
    int h = cfg.hidden();
    int hd = cfg.headDim();
    int inner = cfg.intermediate();
    List<DecoderBlock> blocks = new ArrayList<>();
    for (int i = 0; i < cfg.layers(); i++) {
      String p = prefix + "layers." + i + ".";
      String att = p + "self_attn.";
      RotaryAttention attention;
      GatedMlp mlp;
      INDArray qNorm = d.qkNorm() ? norm(t, att + "q_norm.weight", hd, d) : null;
      INDArray kNorm = d.qkNorm() ? norm(t, att + "k_norm.weight", hd, d) : null;
      if (d.fusedProjections()) {
        attention = new RotaryAttention(cfg, d.layerType(i), linear(t, att + "qkv_proj", h, cfg.qDim() + 2 * cfg.kvDim()),
            null, null, linear(t, att + "o_proj", cfg.qDim(), h), qNorm, kNorm);
        mlp = new GatedMlp(d.activation(), inner, linear(t, p + "mlp.gate_up_proj", h, 2 * inner), null,
            linear(t, p + "mlp.down_proj", inner, h));
      } else {
        attention = new RotaryAttention(cfg, d.layerType(i), linear(t, att + "q_proj", h, cfg.qDim()),
            linear(t, att + "k_proj", h, cfg.kvDim()), linear(t, att + "v_proj", h, cfg.kvDim()),
            linear(t, att + "o_proj", cfg.qDim(), h), qNorm, kNorm);
        mlp = new GatedMlp(d.activation(), inner, linear(t, p + "mlp.gate_proj", h, inner),
            linear(t, p + "mlp.up_proj", h, inner), linear(t, p + "mlp.down_proj", inner, h));
      }
      INDArray inputNorm = norm(t, p + "input_layernorm.weight", h, d);
      INDArray postAttention = norm(t, p + "post_attention_layernorm.weight", h, d);
      if (d.sandwichNorms()) { // Gemma: post_attention_layernorm follows attention; the MLP has its own pair
        blocks.add(new RotaryBlock(cfg, inputNorm, postAttention, norm(t, p + "pre_feedforward_layernorm.weight", h, d),
            norm(t, p + "post_feedforward_layernorm.weight", h, d), attention, mlp));
      } else { // Llama: post_attention_layernorm is the norm before the MLP
        blocks.add(new RotaryBlock(cfg, inputNorm, null, postAttention, null, attention, mlp));
      }
    }
    INDArray embed = t.stored(prefix + "embed_tokens.weight", cfg.vocabSize(), h);
    INDArray head = embed;
    if (!cfg.tieWordEmbeddings()) {
      String headName = ck.has("lm_head.weight") || !ck.has("language_model.lm_head.weight") ? "lm_head.weight"
          : "language_model.lm_head.weight";
      head = t.stored(headName, cfg.vocabSize(), h);
    }
    return new CausalLm(cfg, embed, null, blocks, norm(t, prefix + "norm.weight", h, d), null, head,
        t.options().bf16Kernels());
  }

  /** The in-memory (PEFT) module prefix for a file prefix. */
  private static String modulePrefix(String filePrefix) {
    return filePrefix.equals("language_model.model.") ? "model.language_model."
        : filePrefix.isEmpty() ? "model." : filePrefix;
  }

  /**
   * The checkpoint key of module {@code module}'s weight (module named as transformers 5 names it in
   * memory), e.g. for merging an adapter into a file whose layout differs.
   */
  public static String weightKey(HfCheckpoint ck, String module) {
    String key = module + ".weight";
    if (ck.has(key)) {
      return key;
    }
    for (String filePrefix : ROTARY_PREFIXES) {
      String mp = modulePrefix(filePrefix);
      if (!mp.equals(filePrefix) && module.startsWith(mp) && ck.has(filePrefix + module.substring(mp.length())
          + ".weight")) {
        return filePrefix + module.substring(mp.length()) + ".weight";
      }
    }
    if (module.startsWith("transformer.") && ck.has(module.substring(12) + ".weight")) {
      return module.substring(12) + ".weight"; // original OpenAI GPT-2 files lack the "transformer." prefix
    }
    throw new IllegalArgumentException("Base checkpoint " + ck.dir() + " has no weight for adapted layer '" + module
        + "'.");
  }

  /** An RMSNorm gain [size] as the model applies it: {@code 1 + w} for Gemma (float32), else w. */
  private static INDArray norm(Tensors t, String name, int size, DecoderSpec d) {
    INDArray w = t.get(name, size);
    return d.normPlusOne() ? w.addi(1.0f) : w;
  }

  private static LoraLinear linear(Tensors t, String module, int in, int out) {
    FrozenWeight w = t.weight(module + ".weight", false, out, in); // nn.Linear: [out, in]
    INDArray bias = t.optional(module + ".bias");
    return new LoraLinear(t.moduleName(module), w, false, bias);
  }

  /**
   * Tensor lookup with a name prefix and shape checks; {@code filePrefix}/{@code modulePrefix} map a
   * tensor's file name to the module name transformers uses in memory.
   */
  private record Tensors(HfCheckpoint ck, String prefix, String filePrefix, String modulePrefix, LoadOptions options,
      java.util.function.Consumer<String> notes) {

    String moduleName(String fileModule) {
      return fileModule.startsWith(filePrefix) ? modulePrefix + fileModule.substring(filePrefix.length())
          : fileModule;
    }


    /** A float32 tensor (norm gains, biases). */
    INDArray get(String name, long... shape) {
      return StoredTensors.read(ck, checked(name, shape), DataType.FLOAT);
    }

    /** A tensor in the base's precision (embeddings, head). */
    INDArray stored(String name, long... shape) {
      String full = checked(name, shape);
      return StoredTensors.read(ck, full, options.dtype().arrayType(ck.dtype(full)));
    }

    /** A linear layer's weight: quantised when asked and possible, else in the base's precision. */
    FrozenWeight weight(String name, boolean inOut, long... shape) {
      String full = checked(name, shape);
      return LayerWeights.read(ck, full, inOut, options, notes);
    }

    private String checked(String name, long... shape) {
      String full = prefix + name;
      if (!ck.has(full)) {
        throw new IllegalArgumentException("Checkpoint " + ck.dir() + " has no tensor '" + full
            + "', which the model's config.json requires.");
      }
      long[] actual = ck.shape(full);
      if (shape.length > 0 && !java.util.Arrays.equals(actual, shape)) {
        throw new IllegalArgumentException("Tensor '" + full + "' in " + ck.dir() + " has shape "
            + java.util.Arrays.toString(actual) + " but config.json implies " + java.util.Arrays.toString(shape) + ".");
      }
      return full;
    }

    INDArray optional(String name) {
      return ck.has(prefix + name) ? get(name) : null;
    }
  }
}
