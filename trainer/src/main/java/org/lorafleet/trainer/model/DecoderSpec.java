package org.lorafleet.trainer.model;

import java.util.List;
import java.util.Map;

/**
 * How a rotary (Llama-like) decoder differs from plain Llama: one record so each block reads one
 * source of truth. GPT-2 has none ({@link HfModelConfig#decoder()} is null).
 *
 * @param activation the gated MLP's activation on the gate projection
 * @param normPlusOne RMSNorm multiplies by {@code 1 + w} (Gemma) instead of {@code w}
 * @param sandwichNorms four norms per block: pre/post attention and pre/post MLP (Gemma 3)
 * @param qkNorm per-head RMSNorm on queries and keys before RoPE (Qwen3, Gemma 3)
 * @param fusedProjections one {@code qkv_proj} and one {@code gate_up_proj} weight (Phi-3)
 * @param embeddingScale multiplies the token embeddings (√hidden for Gemma, else 1)
 * @param attentionScale multiplies q·kᵀ (1/√head_dim, or query_pre_attn_scalar^−½ for Gemma)
 * @param finalSoftcap logit soft cap {@code c·tanh(z/c)}, 0 for none (Gemma 3's attn_logit_softcapping
 *     is never applied by transformers, so it is not read)
 * @param layerTypes one entry per layer
 * @param slidingWindow tokens a sliding layer's query sees (itself included), 0 when no layer slides
 * @param rope the RoPE variant of each layer type present
 */
public record DecoderSpec(Activation activation, boolean normPlusOne, boolean sandwichNorms, boolean qkNorm,
    boolean fusedProjections, double embeddingScale, double attentionScale, double finalSoftcap,
    List<LayerType> layerTypes, int slidingWindow, Map<LayerType, RopeParameters> rope) {

  /** Gate activations of the gated MLP. */
  public enum Activation {
    /** x·σ(x) ({@code silu}). */
    SILU,
    /** 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) ({@code gelu_pytorch_tanh}, {@code gelu_new}). */
    GELU_TANH
  }

  public DecoderSpec {
    layerTypes = List.copyOf(layerTypes);
    rope = Map.copyOf(rope);
    for (LayerType t : layerTypes) {
      if (!rope.containsKey(t)) {
        throw new IllegalArgumentException("Invalid model config: no RoPE parameters for " + t.configName()
            + " layers.");
      }
    }
    if (layerTypes.contains(LayerType.SLIDING) && slidingWindow <= 0) {
      throw new IllegalArgumentException("Invalid model config: sliding_attention layers need a positive "
          + "sliding_window.");
    }
    if (finalSoftcap < 0) {
      throw new IllegalArgumentException("Invalid model config: the logit soft cap must be positive.");
    }
  }

  public LayerType layerType(int layer) {
    return layerTypes.get(layer);
  }

  public boolean anySliding() {
    return layerTypes.contains(LayerType.SLIDING);
  }
}
