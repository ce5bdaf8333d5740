/**
 * Choosing ND4J's backend (model.backend: cpu | cuda | auto): what this build contains, which GPUs
 * the machine has, and whether ND4J's CUDA binaries hold code for them.
 */
package org.lorafleet.trainer.backend;
