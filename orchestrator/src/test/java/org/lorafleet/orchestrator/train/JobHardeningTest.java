package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator-facing faults of the driver's job (issue "Hardening"). Periodic evaluations and checkpoints never fail silently: zero cadences mean "off", a transient
 * write error is retried, a lasting one stops the job at once with its root cause and still leaves
 * the adapter, and an unwritable checkpoint dir is found before training. The faults come from a
 * real Hadoop file system with injected errors ({@link FlakyFileSystem}). An advertised
 * {@code host:port} is what workers dial.
 */
class JobHardeningTest {

  private static SparkSession spark;
  @TempDir
  static Path tmp;
  private static Path data;

  @BeforeAll
  static void start() throws IOException {
    spark = JobFixtures.spark("local[2]");
    spark.sparkContext().hadoopConfiguration().set("fs.flaky.impl", FlakyFileSystem.class.getName());
    spark.sparkContext().hadoopConfiguration().setBoolean("fs.flaky.impl.disable.cache", true);
    data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("data")), 240);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void noFaults() {
    FlakyFileSystem.FAILURES_LEFT.set(0);
    FlakyFileSystem.FAILED.set(0);
  }

  @Test
  void zeroEvalEveryStillCheckpointsEveryStepsAndZeroEveryStepsWritesOnlyTheFinal() throws IOException {
    Path a = tmp.resolve("eval0");
    var run = JobFixtures.run(JobFixtures.config("eval0", data, a.toString(), "train.eval_every=0"), spark, null, null)
        .ok();
    assertEquals(List.of("step-000002", "step-000004", "step-000006"), steps(a.resolve("checkpoints")), run.console());
    assertTrue(run.console().contains("(before training)"), "eval before and after training still runs");
    Path b = tmp.resolve("every0");
    run = JobFixtures.run(JobFixtures.config("every0", data, b.toString(), "checkpoint.every_steps=0"), spark, null,
        null).ok();
    assertEquals(List.of("step-000006"), steps(b.resolve("checkpoints")), run.console());
    assertEquals(6, run.result().steps());
  }

  @Test
  void aTransientWriteErrorIsRetriedAndNothingIsLost() throws IOException {
    Path out = tmp.resolve("transient");
    FlakyFileSystem.FAILURES_LEFT.set(2);
    var run = JobFixtures.run(JobFixtures.config("transient", data, out.toString(),
        "checkpoint.dir=flaky://" + out.resolve("checkpoints"), "checkpoint.retry_backoff=10ms"), spark, null, null).ok();
    assertEquals(2, FlakyFileSystem.FAILED.get());
    assertTrue(run.console().contains("retry 1 of 3") && run.console().contains("retry 2 of 3"), run.console());
    assertTrue(run.console().contains(FlakyFileSystem.MESSAGE), "the root cause is shown:\n" + run.console());
    assertEquals(List.of("step-000002", "step-000004", "step-000006"), steps(out.resolve("checkpoints")), run.console());
    try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp")).toList(),
          "failed attempts leave no temporaries");
    }
  }

  @Test
  void aLastingWriteErrorStopsTheJobAtOnceWithItsRootCauseAndKeepsTheAdapter() {
    Path out = tmp.resolve("lasting");
    FlakyFileSystem.FAILURES_LEFT.set(Integer.MAX_VALUE);
    var run = JobFixtures.run(JobFixtures.config("lasting", data, out.toString(),
        "checkpoint.dir=flaky://" + out.resolve("checkpoints"), "checkpoint.write_retries=1",
        "checkpoint.retry_backoff=10ms", "train.max_steps=60", "checkpoint.every_steps=1", "train.eval_every=0"),
        spark, null, null);
    assertNotNull(run.failure(), "the job must fail:\n" + run.console());
    String chain = Causes.chain(run.failure());
    assertTrue(chain.contains("Writing the checkpoint of step 1 failed after 2 attempts"), chain);
    assertTrue(chain.contains(FlakyFileSystem.MESSAGE), "the root cause must be named: " + chain);
    assertTrue(Files.isRegularFile(out.resolve("adapter/adapter_model.safetensors")),
        "the adapter of the newest step is written although the job failed:\n" + run.console());
    assertTrue(run.console().contains("Training failed at step"), run.console());
    // stopped at once, not after the remaining ~60 steps: the stage was cancelled
    long reached = Long.parseLong(run.console().replaceAll("(?s).*Training failed at step (\\d+) of.*", "$1"));
    assertTrue(reached < 40, "the job went on to step " + reached + " of 60 after the write failed");
  }

  @Test
  void anUnwritableCheckpointDirIsFoundBeforeTraining() throws IOException {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Path out = tmp.resolve("unwritable");
    var run = JobFixtures.run(JobFixtures.config("unwritable", data, out.toString(),
        "checkpoint.dir=" + file.resolve("checkpoints")), spark, null, null);
    assertNotNull(run.failure(), run.console());
    assertTrue(run.failure().getMessage().contains("cannot be written (checkpoint.dir)"), Causes.chain(run.failure()));
    assertTrue(!run.console().contains("Training unwritable"), "no training may start:\n" + run.console());
  }

  @Test
  void workersDialTheAdvertisedHostAndPort() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = tmp.resolve("advertise");
    var run = JobFixtures.run(JobFixtures.config("advertise", data, out.toString(),
        "parameter_server.bind=127.0.0.1:" + port, "parameter_server.advertise=localhost:" + port,
        "parameter_server.tensor_channel_port=-1"), spark, null, null).ok();
    assertEquals(6, run.result().steps());
  }

  private static List<String> steps(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList();
    }
  }
}
