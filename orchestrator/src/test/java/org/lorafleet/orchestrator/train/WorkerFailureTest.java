package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker task that dies makes Spark retry the barrier stage (local[2,4]: up to 4 task failures);
 * the retried workers rejoin at the server's current version, no step is applied twice, and the
 * result equals an uninterrupted run's.
 */
@Tag("slow")
class WorkerFailureTest {

  private static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = JobFixtures.spark("local[2,4]");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void aFailedWorkerIsRetriedAndNoStepIsAppliedTwice() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("f")), 240);
    Path clean = tmp.resolve("f/clean");
    Path failed = tmp.resolve("f/failed");
    JobFixtures.run(JobFixtures.config("clean", data, clean.toString()), spark, null, null).ok();
    var run = JobFixtures.run(JobFixtures.config("failed", data, failed.toString(), "distributed.step_timeout=20s"),
        spark, null, "1:3").ok();
    List<Long> applied = run.result().appliedSteps();
    assertEquals(List.of(), JobFixtures.duplicates(applied), "steps applied twice");
    assertEquals(LongStream.range(0, 6).boxed().toList(), applied.stream().sorted().toList());
    assertTrue(run.result().workers().stream().anyMatch(w -> w.attempt() > 0),
        "the workers that finished should come from a retried stage attempt: " + run.result().workers());
    double diff = JobFixtures.maxRelativeDifference(JobFixtures.adapter(failed.resolve("adapter")),
        JobFixtures.adapter(clean.resolve("adapter")));
    assertTrue(diff < 1e-3, "adapter after a retried failure differs by " + diff + "\n" + run.console());
  }
}
