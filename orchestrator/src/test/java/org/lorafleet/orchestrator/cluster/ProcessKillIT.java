package org.lorafleet.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * Real process kills mid-job on a standalone cluster (issue "Hardening", docs/reliability.md): SIGKILL
 * of the driver (client mode) and then the same command again, and SIGKILL of one executor JVM. Each
 * run's final adapter is compared with an uninterrupted run of the same config: sync math is exact,
 * so they agree within float tolerance (no update lost or applied twice). Prints each recovery time.
 */
@Tag("slow")
@Tag("cluster")
class ProcessKillIT {

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  /**
   * Long enough that the kill after step 4's checkpoint lands while the workers still train: at 24
   * steps a fast CPU finished the remaining steps before the executor's SIGKILL arrived.
   */
  private static final int STEPS = 80;
  private static final int KILL_AFTER_STEP = 4;
  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static Path train;
  private static Path reference;

  @BeforeAll
  static void startClusterAndRunTheReference() throws IOException {
    cluster = StandaloneCluster.start(tmp, 2);
    train = Files.write(tmp.resolve("train.jsonl"), ClusterFixtures.trainRows(240));
    Path out = tmp.resolve("reference");
    try (ChildProcess submit = submit("reference", out)) {
      assertEquals(0, submit.waitFor(JOB_TIMEOUT), () -> submit.tail(120));
    }
    reference = out.resolve("adapter/adapter_model.safetensors");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ChildProcess submit(String name, Path out) throws IOException {
    Path config = tmp.resolve(name + ".yaml");
    if (!Files.exists(config)) {
      Files.writeString(config, ClusterFixtures.tinyJob("kill", ClusterFixtures.MODEL.toString(), train.toString(),
          out.toString(), "127.0.0.1:0"));
    }
    List<String> sparkArgs = new ArrayList<>(List.of("--master", cluster.masterUrl, "--deploy-mode", "client",
        "--executor-cores", "1", "--total-executor-cores", "2", "--executor-memory", "1g",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0"));
    sparkArgs.addAll(ClusterFixtures.commonConf(Files.createDirectories(tmp.resolve("events"))));
    List<String> app = List.of("train", "-c", config.toString(), "--set", "train.max_steps=" + STEPS,
        "--set", "checkpoint.keep_last=3", "--set", "distributed.step_timeout=30s");
    Path log = Files.createTempFile(tmp, name + "-", ".log");
    return ChildProcess.start(name, ClusterFixtures.sparkSubmit(List.of(), sparkArgs, app),
        ClusterFixtures.sparkEnv(tmp.resolve("conf")), tmp, log);
  }

  /**
   * Blocks until a checkpoint of {@code step} or later is complete (its manifest is written last);
   * polls, since keep_last may already have pruned step {@code step} itself on a fast machine.
   */
  private static void awaitCheckpoint(Path out, int step, ChildProcess job) throws InterruptedException, IOException {
    Path checkpoints = out.resolve("checkpoints");
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    while (!hasCheckpointAtOrAfter(checkpoints, step)) {
      assertTrue(System.nanoTime() < deadline, "no checkpoint of step " + step + " or later:\n" + job.tail(80));
      Thread.sleep(100);
    }
  }

  private static boolean hasCheckpointAtOrAfter(Path checkpoints, int step) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return false;
    }
    try (var dirs = Files.list(checkpoints)) {
      return dirs.anyMatch(d -> d.getFileName().toString().matches("step-\\d{6}")
          && Integer.parseInt(d.getFileName().toString().substring(5)) >= step
          && Files.exists(d.resolve("MANIFEST.json")));
    }
  }

  private static double maxDifference(Path a, Path b) {
    double worst = 0;
    try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fb = SafetensorsFile.open(b)) {
      assertEquals(fa.names(), fb.names());
      for (String n : fa.names()) {
        FloatTensor x = fa.readFloat(n);
        FloatTensor y = fb.readFloat(n);
        for (int i = 0; i < x.data().length; i++) {
          worst = Math.max(worst, Math.abs(x.data()[i] - y.data()[i]));
        }
      }
    }
    return worst;
  }

  @Test
  void aKilledDriverRunAgainResumesAndEndsWithTheSameAdapter() throws Exception {
    Path out = tmp.resolve("driver-kill");
    long killedAt;
    try (ChildProcess first = submit("driver-kill", out)) {
      awaitCheckpoint(out, KILL_AFTER_STEP, first);
      first.kill(); // SIGKILL of the driver JVM: parameter server, job state and Spark app die with it
      killedAt = System.nanoTime();
    }
    try (ChildProcess again = submit("driver-kill", out)) {
      assertEquals(0, again.waitFor(JOB_TIMEOUT), () -> again.tail(120));
      assertTrue(again.output().contains("Resuming from"), again.tail(60));
    }
    double recovered = (System.nanoTime() - killedAt) / 1e9;
    assertEquals(STEPS, new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("steps").asInt());
    double diff = maxDifference(reference, out.resolve("adapter/adapter_model.safetensors"));
    System.out.printf("driver SIGKILL: the same command finished %.0f s after the kill; adapter max |diff| %.2e%n",
        recovered, diff);
    assertTrue(diff < 1e-3, "the resumed run's adapter differs from the uninterrupted one's by " + diff);
  }

  @Test
  void aKilledExecutorIsReplacedAndTheJobEndsWithTheSameAdapter() throws Exception {
    Path out = tmp.resolve("executor-kill");
    try (ChildProcess job = submit("executor-kill", out)) {
      awaitCheckpoint(out, KILL_AFTER_STEP, job);
      List<ProcessHandle> executors = cluster.executors();
      assertEquals(2, executors.size(), "two executor JVMs run the workers: " + executors);
      long killedAt = System.nanoTime();
      executors.get(0).destroyForcibly(); // SIGKILL of one worker's JVM mid-step
      assertTrue(Files.notExists(out.resolve("summary.json")), "the job ended before the executor was killed");
      assertEquals(0, job.waitFor(JOB_TIMEOUT), () -> job.tail(120));
      System.out.printf("executor SIGKILL: the job finished %.0f s after the kill%n",
          (System.nanoTime() - killedAt) / 1e9); // the adapter's difference is printed below
    }
    var summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(STEPS, summary.path("steps").asInt());
    boolean retried = false;
    for (var w : summary.path("workers")) {
      retried |= w.path("attempt").asInt() >= 1;
    }
    assertTrue(retried, "the workers that finished ran in a retried stage attempt: " + summary.path("workers"));
    double diff = maxDifference(reference, out.resolve("adapter/adapter_model.safetensors"));
    System.out.printf("executor SIGKILL: adapter max |diff| %.2e%n", diff);
    assertTrue(diff < 1e-3, "the adapter after the executor loss differs from the uninterrupted one's by " + diff);
  }
}
