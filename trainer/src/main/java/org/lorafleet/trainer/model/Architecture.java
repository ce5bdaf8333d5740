package org.lorafleet.trainer.model;

/** The decoder families the trainer implements. Qwen2 and Mistral configs map onto {@link #LLAMA}. */
public enum Architecture {
  /** GPT-2: learned positions, LayerNorm, fused Conv1D qkv stored [in, out], gelu_new MLP, tied head. */
  GPT2,
  /** Llama: RMSNorm, RoPE, grouped-query attention, SiLU-gated MLP, nn.Linear weights stored [out, in]. */
  LLAMA
}
