package org.lorafleet.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.checkpoint.HfCheckpointWriter;

/**
 * The trainer benchmark's fixed workloads (docs/benchmarks.md, "Trainer"): W1, GPT-2 small's shape
 * with 2 layers (hidden 768, 12 heads, vocab 50,257, LoRA on c_attn and c_proj); W2, a Llama shape
 * with 2 layers (hidden 768, 12/4 heads, MLP 2048, vocab 32,000, LoRA on q/k/v/o); batch 4 × 128,
 * LoRA r 8. Written as random-weight Hugging Face checkpoints (N(0, 0.02) weights, unit norm gains)
 * so they go through the normal loading path.
 */
enum Workload {
  W1("gpt2-small-2l", List.of("c_attn", "c_proj")),
  W2("llama-2l", List.of("q_proj", "k_proj", "v_proj", "o_proj"));

  static final int BATCH = 4;
  static final int SEQ = 128;
  static final int RANK = 8;

  final String title;
  final List<String> targets;

  Workload(String title, List<String> targets) {
    this.title = title;
    this.targets = targets;
  }

  int vocab() {
    return this == W1 ? 50257 : 32000;
  }

  void writeCheckpoint(Path dir, long seed) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    Map<String, FloatTensor> t = new LinkedHashMap<>();
    SplittableRandom rng = new SplittableRandom(seed);
    int h = 768;
    if (this == W1) {
      c.put("model_type", "gpt2").put("n_embd", h).put("n_head", 12).put("n_layer", 2).put("n_positions", 1024)
          .put("vocab_size", vocab()).putNull("n_inner").put("activation_function", "gelu_new")
          .put("layer_norm_epsilon", 1e-5).put("tie_word_embeddings", true);
      t.put("transformer.wte.weight", normal(rng, vocab(), h));
      t.put("transformer.wpe.weight", normal(rng, 1024, h));
      for (int i = 0; i < 2; i++) {
        String p = "transformer.h." + i + ".";
        t.put(p + "ln_1.weight", ones(h));
        t.put(p + "ln_1.bias", FloatTensor.zeros(h));
        t.put(p + "attn.c_attn.weight", normal(rng, h, 3 * h));
        t.put(p + "attn.c_attn.bias", FloatTensor.zeros(3 * h));
        t.put(p + "attn.c_proj.weight", normal(rng, h, h));
        t.put(p + "attn.c_proj.bias", FloatTensor.zeros(h));
        t.put(p + "ln_2.weight", ones(h));
        t.put(p + "ln_2.bias", FloatTensor.zeros(h));
        t.put(p + "mlp.c_fc.weight", normal(rng, h, 4 * h));
        t.put(p + "mlp.c_fc.bias", FloatTensor.zeros(4 * h));
        t.put(p + "mlp.c_proj.weight", normal(rng, 4 * h, h));
        t.put(p + "mlp.c_proj.bias", FloatTensor.zeros(h));
      }
      t.put("transformer.ln_f.weight", ones(h));
      t.put("transformer.ln_f.bias", FloatTensor.zeros(h));
    } else {
      int kv = 4 * 64;
      int inter = 2048;
      c.put("model_type", "llama").put("hidden_size", h).put("num_attention_heads", 12).put("num_key_value_heads", 4)
          .put("num_hidden_layers", 2).put("intermediate_size", inter).put("vocab_size", vocab())
          .put("max_position_embeddings", 2048).put("rms_norm_eps", 1e-6).put("hidden_act", "silu")
          .put("tie_word_embeddings", false);
      c.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0);
      t.put("model.embed_tokens.weight", normal(rng, vocab(), h));
      for (int i = 0; i < 2; i++) {
        String p = "model.layers." + i + ".";
        t.put(p + "input_layernorm.weight", ones(h));
        t.put(p + "self_attn.q_proj.weight", normal(rng, h, h));
        t.put(p + "self_attn.k_proj.weight", normal(rng, kv, h));
        t.put(p + "self_attn.v_proj.weight", normal(rng, kv, h));
        t.put(p + "self_attn.o_proj.weight", normal(rng, h, h));
        t.put(p + "post_attention_layernorm.weight", ones(h));
        t.put(p + "mlp.gate_proj.weight", normal(rng, inter, h));
        t.put(p + "mlp.up_proj.weight", normal(rng, inter, h));
        t.put(p + "mlp.down_proj.weight", normal(rng, h, inter));
      }
      t.put("model.norm.weight", ones(h));
      t.put("lm_head.weight", normal(rng, vocab(), h));
    }
    HfCheckpointWriter.write(dir, c, t, null);
  }

  private static FloatTensor normal(SplittableRandom rng, int rows, int cols) {
    float[] d = new float[rows * cols];
    for (int i = 0; i < d.length; i++) {
      // Box–Muller, one value per pair is enough here
      double u1 = 1 - rng.nextDouble();
      double u2 = rng.nextDouble();
      d[i] = (float) (0.02 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return new FloatTensor(new long[] {rows, cols}, d);
  }

  private static FloatTensor ones(int n) {
    float[] d = new float[n];
    java.util.Arrays.fill(d, 1f);
    return new FloatTensor(new long[] {n}, d);
  }
}
