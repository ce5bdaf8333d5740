/**
 * Numeric kernels on ND4J with their exact backward passes: norms, activations, causal attention,
 * RoPE, frozen linear layers with a LoRA branch, the causal-LM cross-entropy, and frozen-weight
 * matmuls through oneDNN, bfloat16 and float32 ({@link org.lorafleet.trainer.nn.OneDnnMatmul}).
 */
package org.lorafleet.trainer.nn;
