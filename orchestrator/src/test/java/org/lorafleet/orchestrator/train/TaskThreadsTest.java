package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class TaskThreadsTest {

  @Test
  void aTaskGetsItsShareOfTheExecutorsCoresButNeverLessThanSparkTaskCpus() {
    assertEquals(4, TaskThreads.forTask(1, 8, 2));
    assertEquals(1, TaskThreads.forTask(1, 2, 2));
    assertEquals(2, TaskThreads.forTask(2, 2, 2)); // spark.task.cpus is a floor
    assertEquals(3, TaskThreads.forTask(1, 7, 2)); // rounds down: never more threads than cores
    assertEquals(1, TaskThreads.forTask(1, 1, 4));
  }

  @Test
  void theExecutorsCoresComeFromItsConfOrTheLocalMaster() {
    assertEquals(6, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "yarn")
        .set("spark.executor.cores", "6"), 32));
    assertEquals(3, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "local[3]"), 32));
    assertEquals(3, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "local[3,4]"), 32));
    assertEquals(32, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "local[*]"), 32));
    assertEquals(1, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "local"), 32));
    assertEquals(2, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "local-cluster[2, 2, 1024]"), 32));
    assertEquals(32, TaskThreads.executorCores(new SparkConf(false).set("spark.master", "spark://m:7077"), 32));
  }
}
