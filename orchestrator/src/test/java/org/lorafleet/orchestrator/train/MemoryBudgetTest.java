package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spark's memory strings and executor slots as the budget reads them. */
class MemoryBudgetTest {

  @Test
  void readsSparkSizesAndDefaultsTheOverheadAsSparkDoes() {
    assertEquals(8L << 30, MemoryBudget.bytes("8g"));
    assertEquals(512L << 20, MemoryBudget.bytes("512m"));
    assertEquals(512L << 20, MemoryBudget.bytes("512"), "no suffix means MiB for Spark memory keys");
    assertEquals(3L << 10, MemoryBudget.bytes("3kb"));
    // overhead: max(384 MiB, 10% of the heap)
    assertEquals((1L << 30) + (384L << 20), MemoryBudget.executorMemory(Map.of("spark.executor.memory", "1g")));
    assertEquals((10L << 30) + (1L << 30) + 0, MemoryBudget.executorMemory(Map.of("spark.executor.memory", "10g",
        "spark.executor.memoryOverhead", "1g")));
    assertEquals(2, MemoryBudget.tasksPerExecutor(Map.of("spark.executor.cores", "4", "spark.task.cpus", "2")));
    assertEquals(1, MemoryBudget.tasksPerExecutor(Map.of()));
  }
}
