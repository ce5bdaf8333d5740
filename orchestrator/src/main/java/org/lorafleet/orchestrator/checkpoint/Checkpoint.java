package org.lorafleet.orchestrator.checkpoint;

import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.lora.LoraSettings;

/**
 * A loaded checkpoint: the adapter tensors (PEFT keys), the optimizer state and the scalar state.
 *
 * @param location the step folder it was read from
 * @param adapterSettings the LoRA shape from the checkpoint's adapter_config.json
 */
public record Checkpoint(String location, Map<String, FloatTensor> adapter, LoraSettings adapterSettings,
    AdamW.State optimizer, CheckpointState state) {}
