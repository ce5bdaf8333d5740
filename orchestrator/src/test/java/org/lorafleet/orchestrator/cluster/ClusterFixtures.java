package org.lorafleet.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * What the cluster tests share: the application jar and Spark runtime that {@code mvn verify} built, the
 * {@code SparkSubmit} command a user's {@code spark-submit} would run, and a tiny job on the example model.
 */
final class ClusterFixtures {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path MODEL = REPO.resolve("examples/models/tiny-llama");
  /** LoRA targets of the tiny job, and the tiny Llama's layer count and projection widths. */
  static final List<String> TARGETS = List.of("q_proj", "v_proj");
  static final int RANK = 4;
  static final int STEPS = 4;
  private static final int LAYERS = 2;
  private static final int HIDDEN = 128;
  private static final int KV_WIDTH = 64;

  private ClusterFixtures() {}

  static Path appJar() {
    return existing("lorafleet.app.jar", "the application jar (mvn package builds orchestrator/target/lorafleet-app.jar)");
  }

  /** A Spark distribution's layout (jars/, RELEASE): spark-runtime/target/spark-home. */
  static Path sparkHome() {
    return existing("lorafleet.spark.home", "the Spark runtime (mvn package builds spark-runtime/target/spark-home)");
  }

  /** The JVM flags ND4J and Spark need on Java 17 (pom property lorafleet.jvm.flags). */
  static String jvmFlags() {
    String flags = System.getProperty("lorafleet.jvm.flags");
    if (flags == null || flags.isBlank()) {
      throw new AssertionError("System property lorafleet.jvm.flags is not set; run the test with "
          + "mvn verify (maven-failsafe passes it).");
    }
    return flags;
  }

  private static Path existing(String property, String what) {
    String p = System.getProperty(property);
    if (p == null || !Files.exists(Path.of(p))) {
      throw new AssertionError("System property " + property + " must point at " + what + " (got " + p
          + "); run the test with mvn verify, which builds it and sets the property.");
    }
    return Path.of(p).toAbsolutePath().normalize();
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java <flags> -cp <spark jars>[:extra] <mainClass> args}: a JVM on the Spark runtime only. */
  static List<String> sparkJvm(String heap, String mainClass, List<String> extraClasspath, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + heap));
    cmd.addAll(Arrays.asList(jvmFlags().split(" ")));
    List<String> cp = new ArrayList<>(List.of(sparkHome().resolve("jars") + File.separator + "*"));
    cp.addAll(extraClasspath);
    cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), mainClass));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * What {@code spark-submit <sparkArgs> lorafleet-app.jar <appArgs>} runs: SparkSubmit on Spark's jars with
   * the application jar as the primary resource (the driver JVM gets the flags spark-submit's launcher would
   * add from spark.driver.extraJavaOptions).
   */
  static List<String> sparkSubmit(List<String> extraClasspath, List<String> sparkArgs, List<String> appArgs) {
    List<String> args = new ArrayList<>(sparkArgs);
    args.addAll(List.of("--class", "org.lorafleet.orchestrator.submit.SparkApp", appJar().toString()));
    args.addAll(appArgs);
    return sparkJvm("1g", "org.apache.spark.deploy.SparkSubmit", extraClasspath, args);
  }

  /** Spark conf every submission in these tests uses: loopback only, no UI, the JVM flags for executors. */
  static List<String> commonConf(Path eventLogDir) {
    return List.of("--conf", "spark.ui.enabled=false",
        "--conf", "spark.executor.extraJavaOptions=" + jvmFlags(),
        "--conf", "spark.eventLog.enabled=true",
        "--conf", "spark.eventLog.dir=" + eventLogDir.toUri());
  }

  /** Environment of Spark processes: loopback addresses only, an empty conf dir, no inherited SPARK_HOME. */
  static Map<String, String> sparkEnv(Path confDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome().toString());
    env.put("SPARK_CONF_DIR", confDir.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_HOSTNAME", "localhost");
    return env;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first {@code rows} rows of the example train file. */
  static List<String> trainRows(int rows) {
    try {
      return Files.readAllLines(REPO.resolve("examples/data/debian-descriptions/train.jsonl")).subList(0, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A job of {@link #STEPS} sync steps on 2 workers; every location may be a local path or a Hadoop URI. */
  static String tinyJob(String name, String model, String train, String outputDir, String bind) {
    return String.join("\n",
        "name: " + name,
        "seed: 7",
        "model: {path: '" + model + "'}",
        "lora: {r: " + RANK + ", alpha: 8, target_modules: [" + String.join(", ", TARGETS) + "]}",
        "data: {train: '" + train + "', eval_fraction: 0.1, format: completion, max_seq_len: 64}",
        "train: {max_steps: " + STEPS + ", micro_batch_size: 2, lr: 5.0e-3, warmup_steps: 1, eval_every: 2,"
            + " eval_max_sequences: 4}",
        "distributed: {workers: 2, mode: sync, step_timeout: 120s}",
        // off loopback the server must speak TLS: a certificate made for the job, as configs/yarn-cluster.yaml does
        "parameter_server: {bind: '" + bind + "'" + (bind.startsWith("127.") ? "" : ", tls_cert: auto") + "}",
        "checkpoint: {every_steps: 2, keep_last: 2}",
        "output: {dir: '" + outputDir + "'}",
        "");
  }

  /** The adapter the tiny job writes: A [r, in] and B [out, r] for every target of every layer, B trained. */
  static void assertTrainedAdapter(Path adapterFile) {
    Map<String, long[]> expected = new LinkedHashMap<>();
    for (int layer = 0; layer < LAYERS; layer++) {
      for (String t : TARGETS) {
        String prefix = "base_model.model.model.layers." + layer + ".self_attn." + t;
        expected.put(prefix + ".lora_A.weight", new long[] {RANK, HIDDEN});
        expected.put(prefix + ".lora_B.weight", new long[] {t.equals("q_proj") ? HIDDEN : KV_WIDTH, RANK});
      }
    }
    try (SafetensorsFile f = SafetensorsFile.open(adapterFile)) {
      assertEquals(expected.keySet(), f.names(), "tensors in " + adapterFile);
      for (var e : expected.entrySet()) {
        FloatTensor t = f.readFloat(e.getKey());
        assertEquals(Arrays.toString(e.getValue()), Arrays.toString(t.shape()), "shape of " + e.getKey());
        if (e.getKey().endsWith("lora_B.weight")) {
          double norm = 0;
          for (float v : t.data()) {
            assertTrue(Float.isFinite(v), e.getKey() + " has a non-finite value");
            norm += v * (double) v;
          }
          assertTrue(norm > 0, e.getKey() + " is still zero: the job did not train it");
        }
      }
    }
  }
}
