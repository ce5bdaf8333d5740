/**
 * Decoder-only language models (GPT-2 and Llama families) built from a Hugging Face checkpoint,
 * with hand-written backward passes that produce only the adapter gradients.
 */
package org.lorafleet.trainer.model;
