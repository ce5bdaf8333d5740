package org.lorafleet.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spark standalone cluster on loopback made of real processes ({@link StandaloneCluster}: a Master and
 * two Workers, 1 core each), and the application jar submitted with SparkSubmit in client mode. The two training workers must run in two executor JVMs, each loading the base model and
 * talking to the parameter server in the driver over TCP.
 */
@Tag("slow")
@Tag("cluster")
class StandaloneClusterIT {

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static List<ChildProcess> WORKERS;
  private static String masterUrl;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = StandaloneCluster.start(tmp, 2);
    WORKERS = cluster.workers;
    masterUrl = cluster.masterUrl;
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void twoExecutorJvmsTrainTogetherThroughTheDriversParameterServer() throws IOException {
    Path job = Files.createDirectories(tmp.resolve("job"));
    Path train = Files.write(job.resolve("train.jsonl"), ClusterFixtures.trainRows(240));
    Path out = job.resolve("out");
    Path config = Files.writeString(job.resolve("standalone.yaml"), ClusterFixtures.tinyJob("standalone",
        ClusterFixtures.MODEL.toString(), train.toString(), out.toString(), "127.0.0.1:0"));
    Path events = Files.createDirectories(tmp.resolve("events"));

    List<String> sparkArgs = new ArrayList<>(List.of("--master", masterUrl, "--deploy-mode", "client",
        "--executor-cores", "1", "--total-executor-cores", "2", "--executor-memory", "1g",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0"));
    sparkArgs.addAll(ClusterFixtures.commonConf(events));
    Path log = tmp.resolve("submit.log");
    long t0 = System.nanoTime();
    int exit;
    try (ChildProcess submit = ChildProcess.start("spark-submit", ClusterFixtures.sparkSubmit(List.of(), sparkArgs,
        List.of("train", "-c", config.toString())), ClusterFixtures.sparkEnv(tmp.resolve("conf")), job, log)) {
      exit = submit.waitFor(JOB_TIMEOUT);
    }
    System.out.printf("standalone job took %.0f s%n", (System.nanoTime() - t0) / 1e9);
    assertEquals(0, exit, () -> "spark-submit failed; its output:\n" + ChildProcess.tail(log, 120)
        + "\n--- executor logs ---\n" + executorLogTails());

    ClusterFixtures.assertTrainedAdapter(out.resolve("adapter/adapter_model.safetensors"));
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(ClusterFixtures.STEPS, summary.path("steps").asInt(), summary.toPrettyString());
    assertEquals(2, summary.path("workers").size(), summary.toPrettyString());
    for (JsonNode w : summary.path("workers")) {
      assertEquals(ClusterFixtures.STEPS, w.path("steps_computed").asInt(), "every worker computed every step");
      assertTrue(w.path("tokens").asLong() > 0, summary.toPrettyString());
      assertEquals(1, w.path("threads").asInt(), "a task alone in a 1-core executor computes on 1 thread");
    }

    EventLog ev = EventLog.readOnly(events);
    assertEquals(1, ev.barrierStages(), ev.toString());
    assertEquals(2, Set.copyOf(ev.barrierTaskExecutors()).size(),
        "the two training tasks must run in two different executors: " + ev);
    String appId = onlyFile(events).getFileName().toString(); // Spark names the event log after the application
    Set<Long> pids = new HashSet<>();
    for (String id : ev.barrierTaskExecutors()) {
      String stderr = executorLog(appId, id);
      assertTrue(stderr.contains("lorafleet-app.jar"), "executor " + id + " never received the application jar");
      long pid = EventLog.executorPid(stderr);
      assertTrue(pid > 0, "executor " + id + "'s log names no process id");
      pids.add(pid);
    }
    assertEquals(2, pids.size(), "executors must be separate JVM processes: " + pids);
    Set<Long> reported = new HashSet<>();
    summary.path("workers").forEach(w -> reported.add(w.path("pid").asLong()));
    assertEquals(pids, reported, "summary.json names the executor JVMs that ran the workers");
    assertTrue(pids.stream().noneMatch(p -> p == ProcessHandle.current().pid()));
    for (ChildProcess w : WORKERS) {
      assertTrue(pids.stream().noneMatch(p -> p == w.pid()), "an executor is not a Worker process");
    }
  }

  @Test
  void aSweepRunsItsTrialsAsJobsOnTheClusterAndRanksThem() throws IOException {
    Path job = Files.createDirectories(tmp.resolve("sweep"));
    Path train = Files.write(job.resolve("train.jsonl"), ClusterFixtures.trainRows(240));
    Files.writeString(job.resolve("base.yaml"), ClusterFixtures.tinyJob("base", ClusterFixtures.MODEL.toString(),
        train.toString(), job.resolve("unused").toString(), "127.0.0.1:0"));
    Path out = job.resolve("out");
    Path sweep = Files.writeString(job.resolve("sweep.yaml"), String.join("\n",
        "sweep: {name: cluster-grid, base: base.yaml, output_dir: '" + out + "'}",
        "parameters:",
        "  train.lr: [1.0e-3, 2.0e-2]",
        ""));
    List<String> sparkArgs = new ArrayList<>(List.of("--master", masterUrl, "--deploy-mode", "client",
        "--executor-cores", "1", "--total-executor-cores", "2", "--executor-memory", "1g",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0"));
    sparkArgs.addAll(ClusterFixtures.commonConf(Files.createDirectories(tmp.resolve("sweep-events"))));
    Path log = tmp.resolve("sweep-submit.log");
    int exit;
    try (ChildProcess submit = ChildProcess.start("spark-submit sweep", ClusterFixtures.sparkSubmit(List.of(),
        sparkArgs, List.of("sweep", "-c", sweep.toString())), ClusterFixtures.sparkEnv(tmp.resolve("conf")), job, log)) {
      exit = submit.waitFor(JOB_TIMEOUT);
    }
    assertEquals(0, exit, () -> "spark-submit sweep failed; its output:\n" + ChildProcess.tail(log, 120));
    JsonNode board = new ObjectMapper().readTree(out.resolve("leaderboard.json").toFile());
    assertEquals(2, board.path("trials").size(), board.toPrettyString());
    double previous = Double.NEGATIVE_INFINITY;
    for (JsonNode t : board.path("trials")) {
      assertEquals("completed", t.path("status").asText(), t.toPrettyString());
      assertEquals(ClusterFixtures.STEPS, t.path("steps").asInt());
      Path trialDir = out.resolve("trials").resolve(t.path("trial").asText());
      ClusterFixtures.assertTrainedAdapter(trialDir.resolve("adapter/adapter_model.safetensors"));
      JsonNode summary = new ObjectMapper().readTree(trialDir.resolve("summary.json").toFile());
      assertEquals(summary.path("final_eval_loss").asDouble(), t.path("metric").asDouble(), 0.0);
      assertTrue(t.path("metric").asDouble() >= previous, "ranked best first: " + board.toPrettyString());
      previous = t.path("metric").asDouble();
    }
    assertTrue(Files.readString(out.resolve("report.html")).contains("id=\"train-loss\""));
    EventLog ev = EventLog.readOnly(tmp.resolve("sweep-events"));
    assertEquals(2, ev.barrierStages(), "one training stage per trial, in one application: " + ev);
  }

  private static Path onlyFile(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(Files::isRegularFile).toList();
      assertEquals(1, files.size(), dir + " " + files);
      return files.get(0);
    }
  }

  /** stderr of executor {@code id} of application {@code appId}, from whichever Worker's work dir holds it. */
  private static String executorLog(String appId, String id) {
    return executorLogs().stream().filter(p -> p.getParent().getFileName().toString().equals(id)
            && p.getParent().getParent().getFileName().toString().equals(appId))
        .map(ChildProcess::read).findFirst()
        .orElseThrow(() -> new AssertionError("No work dir of executor " + id + " of " + appId + " under " + tmp));
  }

  private static List<Path> executorLogs() {
    List<Path> logs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try (Stream<Path> s = Files.walk(tmp.resolve("worker-" + i))) {
        s.filter(p -> p.getFileName().toString().equals("stderr")).forEach(logs::add);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return logs;
  }

  private static String executorLogTails() {
    StringBuilder b = new StringBuilder();
    for (Path p : executorLogs()) {
      b.append("== ").append(p).append('\n').append(ChildProcess.tail(p, 40)).append('\n');
    }
    return b.toString();
  }
}
