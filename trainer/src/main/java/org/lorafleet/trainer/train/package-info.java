/** Training on one process: batches, micro-batch gradients, optimizer steps, evaluation, generation. */
package org.lorafleet.trainer.train;
