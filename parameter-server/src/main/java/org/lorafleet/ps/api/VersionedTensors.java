package org.lorafleet.ps.api;

import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * One published version in full. The map keeps the job's tensor order; the tensors belong to the
 * caller (every pull returns fresh arrays).
 */
public record VersionedTensors(long version, Map<String, FloatTensor> tensors, StepOutcome lastOutcome) {}
