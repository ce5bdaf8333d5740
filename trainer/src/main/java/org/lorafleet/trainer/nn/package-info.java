/**
 * Numeric kernels on ND4J with their exact backward passes: norms, activations, causal attention,
 * RoPE, frozen linear layers with a LoRA branch, and the causal-LM cross-entropy.
 */
package org.lorafleet.trainer.nn;
