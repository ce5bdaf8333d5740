package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native memory for one forward/backward pass. ND4J frees an array's off-heap buffer only when the
 * JVM collects the Java object, which a small heap rarely does: RSS then grows by hundreds of MB
 * per step. Running the pass inside a per-thread workspace makes every intermediate land in one
 * buffer that is reused by the next pass (sized during the first pass, grown when shapes grow).
 * Nothing allocated inside may escape the scope: results leave as heap values (float[], double).
 */
public final class StepMemory {

  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.1)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private static final String ID = "lorafleet-pass";

  private StepMemory() {}

  /** Opens the calling thread's pass workspace; close it (try-with-resources) when the pass is done. */
  public static MemoryWorkspace open() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
  }
}
