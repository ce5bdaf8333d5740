package org.lorafleet.trainer.train;

import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * What a worker contributes for one micro-batch: the gradients of the <em>summed</em> token losses
 * (PEFT-keyed), the loss sum and the token count. Sums from several micro-batches or workers add
 * up exactly; dividing by the total count gives the gradient of the global mean loss.
 */
public record MicroBatchGradients(Map<String, FloatTensor> gradSums, double lossSum, long tokens) {}
