package org.lorafleet.orchestrator.checkpoint;

import java.util.Map;
import org.lorafleet.ps.optim.AdamW;
import org.lorafleet.ps.tensor.FloatTensor;

/**
 * A loaded checkpoint: the adapter tensors (PEFT keys), the optimizer state and the scalar state.
 *
 * @param location the step folder it was read from
 */
public record Checkpoint(String location, Map<String, FloatTensor> adapter, AdamW.State optimizer,
    CheckpointState state) {}
