/**
 * Predicting a job's memory before it runs: the frozen base's bytes in its held form (from the
 * safetensors headers alone), the adapter with its optimizer state, and the activations of one
 * micro-batch, as the trainer's kernels allocate them.
 */
package org.lorafleet.trainer.memory;
