/**
 * LoRA with PEFT's semantics: target matching, initialisation, the adapter's trainable tensors,
 * PEFT folder import/export and merging the adapter into the base weights.
 */
package org.lorafleet.trainer.lora;
