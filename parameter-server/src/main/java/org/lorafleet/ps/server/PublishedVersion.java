package org.lorafleet.ps.server;

import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.StepOutcome;

/**
 * One published version, immutable by contract: its arrays are never written after publication,
 * so readers (pulls, encoders) use them without locks. Do not modify the tensors; copy them.
 *
 * @param lastOutcome outcome of the update that published this version, or null
 */
public record PublishedVersion(long version, Map<String, FloatTensor> tensors, StepOutcome lastOutcome) {}
