/**
 * Numeric kernels on ND4J with their exact backward passes: norms, activations, causal attention,
 * RoPE, frozen linear layers with a LoRA branch, the causal-LM cross-entropy, and the bfloat16
 * matmul of a frozen weight through oneDNN ({@link org.lorafleet.trainer.nn.Bf16Matmul}).
 */
package org.lorafleet.trainer.nn;
