/**
 * Decoder-only language models built from a Hugging Face checkpoint: GPT-2 and the rotary families
 * (Llama, Mistral, Qwen2/3, Phi-3, Gemma 3) with their config mapping and RoPE variants, hand-written
 * backward passes that produce only the adapter gradients, and a KV cache for generation.
 */
package org.lorafleet.trainer.model;
