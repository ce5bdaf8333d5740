package org.lorafleet.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The memory benchmark's workloads (issue "Fit real models on ordinary executors"): real model
 * shapes with random weights, one sequence per step. W3 is Qwen2.5-0.5B's shape, W4 Llama-3.2-1B's;
 * {@code tiny} and {@code tiny-llama} are the same two families at a toy size, to check the
 * benchmark end to end in seconds.
 */
enum MemoryWorkload {
  W3("qwen2.5-0.5b-shape", "qwen2", 24, 896, 14, 2, 64, 4864, 151_936, 1_000_000.0, 1e-6, false, 1, 1024, 5),
  W4("llama-3.2-1b-shape", "llama", 16, 2048, 32, 8, 64, 8192, 128_256, 500_000.0, 1e-5, true, 1, 512, 3),
  TINY("tiny-qwen2", "qwen2", 2, 64, 4, 2, 16, 128, 1024, 1_000_000.0, 1e-6, false, 1, 64, 2),
  TINY_LLAMA("tiny-llama3", "llama", 2, 64, 4, 2, 16, 128, 1024, 500_000.0, 1e-5, true, 1, 64, 2);

  /** LoRA on every linear layer of the decoder, as PEFT's target_modules list for these families. */
  static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
      "down_proj");
  static final int RANK = 16;
  static final double ALPHA = 32;
  /** Standard deviation of the random weights (transformers' initializer_range). */
  static final double STD = 0.02;

  final String title;
  final String modelType;
  final int layers;
  final int hidden;
  final int heads;
  final int kvHeads;
  final int headDim;
  final int intermediate;
  final int vocab;
  final double ropeTheta;
  final double rmsEps;
  /** Llama 3.x "llama3" RoPE scaling (factor 32, low 1, high 4, original 8192), as Llama-3.2-1B has. */
  final boolean llama3Rope;
  final int batch;
  final int seq;
  final int defaultSteps;

  MemoryWorkload(String title, String modelType, int layers, int hidden, int heads, int kvHeads, int headDim,
      int intermediate, int vocab, double ropeTheta, double rmsEps, boolean llama3Rope, int batch, int seq,
      int defaultSteps) {
    this.title = title;
    this.modelType = modelType;
    this.layers = layers;
    this.hidden = hidden;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.intermediate = intermediate;
    this.vocab = vocab;
    this.ropeTheta = ropeTheta;
    this.rmsEps = rmsEps;
    this.llama3Rope = llama3Rope;
    this.batch = batch;
    this.seq = seq;
    this.defaultSteps = defaultSteps;
  }

  /** W3, W4, tiny or tiny-llama (case-insensitive). */
  static MemoryWorkload parse(String name) {
    for (MemoryWorkload w : values()) {
      if (w.cliName().equalsIgnoreCase(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException("Unknown workload '" + name + "'; choose W3, W4, tiny or tiny-llama.");
  }

  String cliName() {
    return switch (this) {
      case TINY -> "tiny";
      case TINY_LLAMA -> "tiny-llama";
      default -> name();
    };
  }

  /** Qwen2 has biases on q, k and v (and nowhere else); Llama has none. */
  boolean qkvBias() {
    return modelType.equals("qwen2");
  }

  /** config.json as the hub's file for the real model has it (the keys this shape needs). */
  ObjectNode config() {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add(modelType.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    c.put("model_type", modelType);
    c.put("hidden_size", hidden);
    c.put("intermediate_size", intermediate);
    c.put("num_hidden_layers", layers);
    c.put("num_attention_heads", heads);
    c.put("num_key_value_heads", kvHeads);
    c.put("head_dim", headDim);
    c.put("vocab_size", vocab);
    c.put("hidden_act", "silu");
    c.put("rms_norm_eps", rmsEps);
    c.put("rope_theta", ropeTheta);
    c.put("tie_word_embeddings", true);
    c.put("initializer_range", STD);
    c.put("attention_dropout", 0.0);
    c.put("torch_dtype", "bfloat16");
    c.put("use_cache", false);
    if (modelType.equals("qwen2")) {
      c.put("max_position_embeddings", 32_768);
      c.put("use_sliding_window", false);
      c.put("sliding_window", 32_768);
      c.put("max_window_layers", layers);
    } else {
      c.put("max_position_embeddings", 131_072);
      c.put("attention_bias", false);
      c.put("mlp_bias", false);
      c.put("pretraining_tp", 1);
    }
    if (llama3Rope) {
      c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
          .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
    }
    return c;
  }

  /** One tensor of the checkpoint: how it is filled (random normal, ones for norm gains). */
  record Tensor(String name, long[] shape, boolean ones) {
    long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Every tensor, in the order written; the head is tied to the embeddings, so there is no lm_head.weight. */
  List<Tensor> tensors() {
    List<Tensor> t = new ArrayList<>();
    int q = heads * headDim;
    int kv = kvHeads * headDim;
    t.add(new Tensor("model.embed_tokens.weight", new long[] {vocab, hidden}, false));
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      t.add(new Tensor(p + "input_layernorm.weight", new long[] {hidden}, true));
      t.add(new Tensor(p + "self_attn.q_proj.weight", new long[] {q, hidden}, false));
      t.add(new Tensor(p + "self_attn.k_proj.weight", new long[] {kv, hidden}, false));
      t.add(new Tensor(p + "self_attn.v_proj.weight", new long[] {kv, hidden}, false));
      if (qkvBias()) {
        t.add(new Tensor(p + "self_attn.q_proj.bias", new long[] {q}, false));
        t.add(new Tensor(p + "self_attn.k_proj.bias", new long[] {kv}, false));
        t.add(new Tensor(p + "self_attn.v_proj.bias", new long[] {kv}, false));
      }
      t.add(new Tensor(p + "self_attn.o_proj.weight", new long[] {hidden, q}, false));
      t.add(new Tensor(p + "post_attention_layernorm.weight", new long[] {hidden}, true));
      t.add(new Tensor(p + "mlp.gate_proj.weight", new long[] {intermediate, hidden}, false));
      t.add(new Tensor(p + "mlp.up_proj.weight", new long[] {intermediate, hidden}, false));
      t.add(new Tensor(p + "mlp.down_proj.weight", new long[] {hidden, intermediate}, false));
    }
    t.add(new Tensor("model.norm.weight", new long[] {hidden}, true));
    return t;
  }

  long parameters() {
    return tensors().stream().mapToLong(Tensor::elements).sum();
  }

  String describe() {
    return String.format(Locale.ROOT, "%s %s (%s, %d layers, hidden %d, %d/%d heads × %d, intermediate %d, vocab %d, "
        + "%.0fM parameters), batch %d × %d tokens", cliName(), title, modelType, layers, hidden, heads, kvHeads,
        headDim, intermediate, vocab, parameters() / 1e6, batch, seq);
  }
}
