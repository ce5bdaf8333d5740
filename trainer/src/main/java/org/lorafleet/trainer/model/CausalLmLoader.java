package org.lorafleet.trainer.model;

import java.util.ArrayList;
import java.util.List;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds a {@link CausalLm} from a Hugging Face checkpoint folder, mapping tensor names per family. */
public final class CausalLmLoader {

  private CausalLmLoader() {}

  /** Reads config.json and every tensor the architecture needs; fails naming a missing tensor. */
  public static CausalLm load(HfCheckpoint ckpt) {
    Nd.init();
    ModelConfig cfg = ModelConfigReader.read(ckpt.config(), ckpt.dir().resolve("config.json").toString());
    return cfg.architecture() == Architecture.GPT2 ? gpt2(cfg, ckpt) : llama(cfg, ckpt);
  }

  private static CausalLm gpt2(ModelConfig cfg, HfCheckpoint ck) {
    // GPT2LMHeadModel files use "transformer."; the original OpenAI files have bare names.
    String prefix = ck.has("transformer.wte.weight") ? "transformer." : "";
    Tensors t = new Tensors(ck, prefix);
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
    INDArray wte = t.get("wte.weight", cfg.vocabSize(), cfg.hidden());
    return new CausalLm(cfg, wte, t.get("wpe.weight", cfg.maxPositions(), cfg.hidden()), blocks,
        t.get("ln_f.weight"), t.get("ln_f.bias"), wte);
  }

  private static LoraLinear conv1d(Tensors t, String module, int in, int out) {
    INDArray w = t.get(module + ".weight", in, out); // Conv1D: [in, out]
    return new LoraLinear("transformer." + module, w, true, t.get(module + ".bias"));
  }

  private static CausalLm llama(ModelConfig cfg, HfCheckpoint ck) {
    Tensors t = new Tensors(ck, "");
    List<DecoderBlock> blocks = new ArrayList<>();
    int h = cfg.hidden();
    for (int i = 0; i < cfg.layers(); i++) {
      String p = "model.layers." + i + ".";
      blocks.add(new LlamaBlock(cfg, t.get(p + "input_layernorm.weight"), t.get(p + "post_attention_layernorm.weight"),
          linear(t, p + "self_attn.q_proj", h, cfg.qDim()),
          linear(t, p + "self_attn.k_proj", h, cfg.kvDim()),
          linear(t, p + "self_attn.v_proj", h, cfg.kvDim()),
          linear(t, p + "self_attn.o_proj", cfg.qDim(), h),
          linear(t, p + "mlp.gate_proj", h, cfg.intermediate()),
          linear(t, p + "mlp.up_proj", h, cfg.intermediate()),
          linear(t, p + "mlp.down_proj", cfg.intermediate(), h)));
    }
    INDArray embed = t.get("model.embed_tokens.weight", cfg.vocabSize(), h);
    INDArray head = cfg.tieWordEmbeddings() ? embed : t.get("lm_head.weight", cfg.vocabSize(), h);
    return new CausalLm(cfg, embed, null, blocks, t.get("model.norm.weight"), null, head);
  }

  private static LoraLinear linear(Tensors t, String module, int in, int out) {
    INDArray w = t.get(module + ".weight", out, in); // nn.Linear: [out, in]
    INDArray bias = t.optional(module + ".bias");
    return new LoraLinear(module, w, false, bias);
  }

  /** Tensor lookup with a name prefix and shape checks. */
  private record Tensors(HfCheckpoint ck, String prefix) {

    INDArray get(String name, long... shape) {
      String full = prefix + name;
      if (!ck.has(full)) {
        throw new IllegalArgumentException("Checkpoint " + ck.dir() + " has no tensor '" + full
            + "', which the model's config.json requires.");
      }
      var tensor = ck.tensor(full);
      if (shape.length > 0 && !java.util.Arrays.equals(tensor.shape(), shape)) {
        throw new IllegalArgumentException("Tensor '" + full + "' in " + ck.dir() + " has shape " + tensor.shapeString()
            + " but config.json implies " + java.util.Arrays.toString(shape) + ".");
      }
      return Nd.of(tensor);
    }

    INDArray optional(String name) {
      return ck.has(prefix + name) ? get(name) : null;
    }
  }
}
