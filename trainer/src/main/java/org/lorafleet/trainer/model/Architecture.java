package org.lorafleet.trainer.model;

/**
 * The decoder families the trainer implements, by how their layers are wired. Qwen2, Qwen3 and
 * Mistral configs map onto {@link #LLAMA} (Qwen3 with q/k norms, Mistral with a sliding window).
 */
public enum Architecture {
  /** GPT-2: learned positions, LayerNorm, fused Conv1D qkv stored [in, out], gelu_new MLP, tied head. */
  GPT2,
  /** Llama: RMSNorm, RoPE, grouped-query attention, SiLU-gated MLP, nn.Linear weights stored [out, in]. */
  LLAMA,
  /**
   * Gemma 3 text: Llama's layout plus √hidden-scaled embeddings, (1 + w) RMSNorms before and after
   * attention and MLP, q/k norms, gelu_pytorch_tanh gate, interleaved sliding and global layers.
   */
  GEMMA3,
  /** Phi-3: Llama's math with fused {@code qkv_proj} and {@code gate_up_proj} weights. */
  PHI3
}
