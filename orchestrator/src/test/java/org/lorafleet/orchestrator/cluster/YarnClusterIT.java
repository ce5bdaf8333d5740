package org.lorafleet.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar submitted with SparkSubmit to YARN (MiniYARNCluster) with config, data, model and
 * output on HDFS (MiniDFSCluster), in client mode (driver and parameter server in the submitting process)
 * and cluster mode (both inside the ApplicationMaster container). Spark's jars reach the containers through
 * spark.yarn.jars=local:…, the application jar through YARN's distributed cache.
 */
@Tag("slow")
@Tag("cluster")
class YarnClusterIT {

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(8);
  @TempDir
  static Path tmp;
  private static MiniYarn cluster;
  private static String model;
  private static String train;

  @BeforeAll
  static void start() throws IOException {
    cluster = MiniYarn.start(tmp);
    FileSystem fs = cluster.fs();
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(ClusterFixtures.MODEL.toUri()),
        new org.apache.hadoop.fs.Path("/models/tiny-llama"));
    Path rows = Files.write(tmp.resolve("train.jsonl"), ClusterFixtures.trainRows(240));
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(rows.toUri()), new org.apache.hadoop.fs.Path("/data/train.jsonl"));
    model = cluster.uri("/models/tiny-llama");
    train = cluster.uri("/data/train.jsonl");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientModeTrainsOnYarnExecutorsAndWritesTheAdapterToHdfs() throws IOException {
    submit("yarn-client", "client", List.of("--conf", "spark.yarn.am.memory=512m"));
    assertExecutorsLoadedTheBaseFromHdfs(2);
  }

  @Test
  void clusterModeRunsTheDriverAndParameterServerInTheApplicationMaster() throws IOException {
    String output = submit("yarn-cluster", "cluster", List.of("--driver-memory", "1g",
        "--conf", "spark.driver.memoryOverhead=1g",
        "--conf", "spark.driver.extraJavaOptions=" + ClusterFixtures.jvmFlags()));
    // The job's console output is in the ApplicationMaster's stdout, not in spark-submit's.
    assertTrue(!output.contains("Adapter written to"), "the driver should not run in the submitting process");
    String written = "Adapter written to " + cluster.uri("/jobs/out/yarn-cluster");
    List<Path> driverOut = cluster.containerLogs().stream().filter(p -> p.getFileName().toString().equals("stdout"))
        .filter(p -> ChildProcess.read(p).contains(written))
        .toList();
    assertEquals(1, driverOut.size(), "one container (the ApplicationMaster) ran the driver:\n"
        + cluster.containerLogTails(30));
    assertTrue(driverOut.get(0).getParent().getFileName().toString().endsWith("_000001"),
        "the driver ran in the first container of the application, the ApplicationMaster: " + driverOut);
    assertExecutorsLoadedTheBaseFromHdfs(3); // two executors and the driver
    // The ApplicationMaster removes the application's staging dir (with the 250 MB jar) when it ends;
    // it cannot if the job closed Hadoop's shared FileSystem instance.
    org.apache.hadoop.fs.Path staging = new org.apache.hadoop.fs.Path(cluster.fs().getHomeDirectory(), ".sparkStaging");
    List<String> left = new ArrayList<>();
    if (cluster.fs().exists(staging)) {
      for (var st : cluster.fs().listStatus(staging)) {
        left.add(st.getPath().getName());
      }
    }
    assertTrue(left.isEmpty(), "staging dirs left behind: " + left);
  }

  /** Submits the tiny job; checks the adapter, summary and barrier stage; returns spark-submit's output. */
  private static String submit(String name, String deployMode, List<String> extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--conf", "spark.yarn.maxAppAttempts=1"));
    args.addAll(extra);
    List<String> command = submitCommand(name, deployMode, args, List.of());
    Map<String, String> env = submitEnv();
    FileSystem fs = cluster.fs();
    Path log = tmp.resolve("submit-" + name + ".log");
    long t0 = System.nanoTime();
    int exit;
    try (ChildProcess submit = ChildProcess.start("spark-submit (" + name + ")", command, env, tmp, log)) {
      exit = submit.waitFor(JOB_TIMEOUT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n--- container logs ---\n" + cluster.containerLogTails(40), e);
    }
    System.out.printf("%s job took %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
    assertEquals(0, exit, () -> "spark-submit failed; its output:\n" + ChildProcess.tail(log, 120)
        + "\n--- container logs ---\n" + cluster.containerLogTails(40));

    Path local = Files.createDirectories(tmp.resolve("fetched-" + name));
    fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/jobs/out/" + name + "/adapter"),
        new org.apache.hadoop.fs.Path(local.toUri()));
    ClusterFixtures.assertTrainedAdapter(local.resolve("adapter/adapter_model.safetensors"));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/jobs/out/" + name + "/checkpoints/step-000004/MANIFEST.json")),
        "the last checkpoint is on HDFS");
    JsonNode summary;
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path("/jobs/out/" + name + "/summary.json"))) {
      summary = new ObjectMapper().readTree(in);
    }
    assertEquals(ClusterFixtures.STEPS, summary.path("steps").asInt(), summary.toPrettyString());
    assertEquals(2, summary.path("workers").size(), summary.toPrettyString());
    for (JsonNode w : summary.path("workers")) {
      assertEquals(ClusterFixtures.STEPS, w.path("steps_computed").asInt(), "every worker computed every step");
    }
    EventLog ev = EventLog.readOnly(tmp.resolve("events-" + name));
    assertEquals(1, ev.barrierStages(), ev.toString());
    assertEquals(2, Set.copyOf(ev.barrierTaskExecutors()).size(),
        "the two training tasks must run in two different executor containers: " + ev);
    return ChildProcess.read(log);
  }

  /** Model folders on HDFS are copied into each JVM's tmp dir, inside its container's working directory. */
  private static void assertExecutorsLoadedTheBaseFromHdfs(int atLeast) {
    List<Path> holders = cluster.containersHolding("tmp/lorafleet-models/[^/]+/model\\.safetensors");
    assertTrue(holders.size() >= atLeast, "expected at least " + atLeast
        + " containers to hold a copy of the base model, found " + holders);
  }

  /** Writes the tiny job's config to HDFS and returns the spark-submit command that runs it. */
  private static List<String> submitCommand(String name, String deployMode, List<String> extra, List<String> sets)
      throws IOException {
    FileSystem fs = cluster.fs();
    String out = cluster.uri("/jobs/out/" + name);
    String yaml = ClusterFixtures.tinyJob(name, model, train, out, "0.0.0.0:0");
    try (var o = fs.create(new org.apache.hadoop.fs.Path("/jobs/" + name + ".yaml"), true)) {
      o.write(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Path events = Files.createDirectories(tmp.resolve("events-" + name));
    String java = Path.of(System.getProperty("java.home")).toString();
    List<String> args = new ArrayList<>(List.of("--master", "yarn", "--deploy-mode", deployMode,
        "--num-executors", "2", "--executor-cores", "1", "--executor-memory", "1g",
        "--conf", "spark.executor.memoryOverhead=1g",
        "--conf", "spark.yarn.jars=local:" + ClusterFixtures.sparkHome().resolve("jars") + File.separator + "*",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + java,
        "--conf", "spark.executorEnv.JAVA_HOME=" + java));
    for (String v : List.of("SPARK_LOCAL_IP=127.0.0.1", "SPARK_LOCAL_HOSTNAME=localhost")) {
      args.addAll(List.of("--conf", "spark.yarn.appMasterEnv." + v, "--conf", "spark.executorEnv." + v));
    }
    args.addAll(extra);
    args.addAll(ClusterFixtures.commonConf(events));
    List<String> app = new ArrayList<>(List.of("train", "-c", cluster.uri("/jobs/" + name + ".yaml")));
    for (String set : sets) {
      app.addAll(List.of("--set", set));
    }
    return ClusterFixtures.sparkSubmit(List.of(cluster.confDir().toString()), args, app);
  }

  private static Map<String, String> submitEnv() throws IOException {
    Map<String, String> env = new java.util.HashMap<>(ClusterFixtures.sparkEnv(Files.createDirectories(
        tmp.resolve("spark-conf"))));
    env.put("HADOOP_CONF_DIR", cluster.confDir().toString());
    return env;
  }

  @Test
  void aKilledApplicationMasterIsRestartedAndItsSecondAttemptResumesFromTheNewestCheckpoint() throws Exception {
    String name = "yarn-am-kill";
    List<String> command = submitCommand(name, "cluster", List.of("--conf", "spark.yarn.maxAppAttempts=2",
        "--driver-memory", "1g", "--conf", "spark.driver.memoryOverhead=1g",
        "--conf", "spark.driver.extraJavaOptions=" + ClusterFixtures.jvmFlags()),
        List.of("train.max_steps=24", "checkpoint.keep_last=3", "distributed.step_timeout=30s"));
    org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path("/jobs/out/" + name
        + "/checkpoints/step-000006/MANIFEST.json");
    Path log = tmp.resolve("submit-" + name + ".log");
    try (ChildProcess submit = ChildProcess.start("spark-submit (" + name + ")", command, submitEnv(), tmp, log)) {
      long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
      while (!cluster.fs().exists(manifest)) {
        assertTrue(System.nanoTime() < deadline, "no checkpoint of step 6:\n" + cluster.containerLogTails(40));
        Thread.sleep(200);
      }
      List<ProcessHandle> am = ProcessHandle.current().descendants()
          .filter(h -> h.info().commandLine().orElse("").contains("org.apache.spark.deploy.yarn.ApplicationMaster"))
          .filter(h -> h.info().command().orElse("").endsWith("/java")) // not the container's launch shell
          .toList();
      assertEquals(1, am.size(), "one ApplicationMaster JVM (the driver): " + am);
      long killedAt = System.nanoTime();
      am.get(0).destroyForcibly(); // SIGKILL of the driver and its parameter server inside the AM container
      int exit = submit.waitFor(JOB_TIMEOUT);
      System.out.printf("ApplicationMaster SIGKILL: attempt 2 finished the job %.0f s after the kill%n",
          (System.nanoTime() - killedAt) / 1e9);
      assertEquals(0, exit, () -> submit.tail(80) + "\n--- container logs ---\n" + cluster.containerLogTails(40));
    }
    String resuming = "Resuming from " + cluster.uri("/jobs/out/" + name);
    List<Path> resumed = cluster.containerLogs().stream().filter(p -> p.getFileName().toString().equals("stdout"))
        .filter(p -> ChildProcess.read(p).contains(resuming))
        .toList();
    assertEquals(1, resumed.size(), "the second attempt's driver resumed:\n" + cluster.containerLogTails(30));
    assertTrue(resumed.get(0).toString().contains("_02_"), "it ran in attempt 2's container: " + resumed);
    try (var in = cluster.fs().open(new org.apache.hadoop.fs.Path("/jobs/out/" + name + "/summary.json"))) {
      assertEquals(24, new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).path("steps").asInt());
    }
  }
}
