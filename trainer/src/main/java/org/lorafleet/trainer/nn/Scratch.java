package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Short-lived native memory inside a pass: the temporaries of one attention block, one loss chunk
 * or one dequantised weight. Everything allocated while a scope is open is dropped when it closes,
 * so a loop over chunks costs the memory of one chunk, not of all of them. Results must be written
 * into arrays allocated before the scope opened (in-place ops, {@code assign}); the {@link StepMemory}
 * pass workspace is active again after closing.
 *
 * <p>Scopes of different levels nest (a block scope holding chunk scopes); a level must not be
 * re-opened while it is open on the same thread.
 */
public final class Scratch {

  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.1)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  /** Nesting levels, innermost last. */
  public enum Level {
    /** One decoder block recomputed in backward (gradient checkpointing). */
    BLOCK,
    /** One chunk of attention rows, loss rows or one dequantised weight. */
    CHUNK
  }

  private Scratch() {}

  /** Opens the calling thread's scope of this level; close it (try-with-resources). */
  public static MemoryWorkspace open(Level level) {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, "lorafleet-scratch-" + level.name());
  }
}
