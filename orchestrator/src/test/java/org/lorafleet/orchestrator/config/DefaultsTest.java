package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every optional key's default, including those that depend on other keys. */
class DefaultsTest {

  @TempDir
  Path dir;

  @Test
  void offLoopbackNeedsTlsOrAnExplicitInsecure() {
    ParameterServerConfig auto = TestFiles.load(dir, BASE, "parameter_server.bind=0.0.0.0:0",
        "parameter_server.tls_cert=auto").parameterServer();
    assertTrue(auto.autoTls());
    ParameterServerConfig insecure = TestFiles.load(dir, BASE, "parameter_server.bind=0.0.0.0:0",
        "parameter_server.insecure=true").parameterServer();
    assertTrue(insecure.insecure() && !insecure.autoTls());
    assertTrue(TestFiles.load(dir, BASE, "parameter_server.bind=[::1]:0").parameterServer().isLoopback());
  }

  @Test
  void theSmallestJobGetsEveryDefault() {
    JobConfig c = TestFiles.load(dir, BASE);
    assertEquals("t", c.name());
    assertEquals(42, c.seed());
    assertEquals(new ModelConfig("m", ModelConfig.Backend.CPU, null), c.model());
    assertEquals(new LoraConfig(8, 16, 0.0, TargetModules.suffixes(List.of("q_proj", "v_proj")), false), c.lora());
    assertEquals(new DataConfig("d.jsonl", null, 0.02, DataConfig.Format.COMPLETION, 256, true, DataConfig.BadRows.SKIP,
        "text", "prompt", "completion", "messages", true, true, QualityConfig.OFF), c.data());
    assertEquals(new TrainConfig(200, null, 4, 1, 2.0e-4, TrainConfig.Schedule.COSINE, 10, 0.0, 0.0, 1.0, 50, 0, 1),
        c.train());
    assertEquals(new DistributedConfig(2, org.lorafleet.ps.api.UpdateMode.SYNC, 8, 2, org.lorafleet.ps.api.Aggregation.MEAN,
        Duration.ofSeconds(120)), c.distributed());
    assertEquals(new ParameterServerConfig("127.0.0.1:0", null, ParameterServerConfig.Auth.TOKEN, null, null, null, 64, 0,
        false),
        c.parameterServer());
    assertEquals(new CheckpointConfig("out/t/checkpoints", 50, 3, CheckpointConfig.Resume.AUTO), c.checkpoint());
    assertEquals(new OutputConfig("out/t", false), c.output());
    assertEquals(new SparkConfig("local[*]", Map.of()), c.spark());
  }

  @Test
  void defaultsThatDependOnOtherKeys() {
    JobConfig epochs = TestFiles.load(dir, BASE + "train:\n  epochs: 2\n");
    assertNull(epochs.train().maxSteps(), "max_steps defaults to null when epochs is given");
    assertEquals(2, epochs.train().epochs());

    JobConfig evalFile = TestFiles.load(dir, BASE.replace("train: d.jsonl", "train: d.jsonl\n  eval: e.jsonl"));
    assertEquals(0.0, evalFile.data().evalFraction(), "no split when an eval file is given");

    JobConfig dirs = TestFiles.load(dir, BASE + "output:\n  dir: hdfs:///runs/x/\n");
    assertEquals("hdfs:///runs/x/checkpoints", dirs.checkpoint().dir());

    JobConfig explicit = TestFiles.load(dir, BASE + "output:\n  dir: o\ncheckpoint:\n  dir: c\n  resume: /ck/step-000400\n");
    assertEquals("c", explicit.checkpoint().dir());
    assertEquals(new CheckpointConfig.Resume(CheckpointConfig.Resume.Mode.PATH, "/ck/step-000400"),
        explicit.checkpoint().resume());

    JobConfig noClip = TestFiles.load(dir, BASE + "train:\n  max_grad_norm: null\n");
    assertEquals(0.0, noClip.train().maxGradNorm(), "null max_grad_norm means no clipping");

    JobConfig emptySections = TestFiles.load(dir, BASE + "lora:\ntrain: ~\nspark:\n  conf:\n");
    assertEquals(TestFiles.load(dir, BASE), emptySections, "empty sections read as all defaults");
  }

  @Test
  void scalarsForStringKeysKeepTheirSpelling() {
    JobConfig c = TestFiles.load(dir, BASE + "spark:\n  conf:\n    spark.ui.enabled: no\n    spark.cores: 007\n"
        + "    spark.ratio: 0.50\n");
    assertEquals(Map.of("spark.ui.enabled", "no", "spark.cores", "007", "spark.ratio", "0.50"), c.spark().conf());
    assertEquals(List.of("spark.ui.enabled", "spark.cores", "spark.ratio"), List.copyOf(c.spark().conf().keySet()),
        "conf keeps file order");
  }

  @Test
  void recordsBuiltInCodeAreValidatedToo() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new LoraConfig(0, -1, 1.5, TargetModules.allLinear(), false));
    assertEquals(List.of(new ConfigError(null, 0, "lora.r", "must be > 0 (got 0)"),
        new ConfigError(null, 0, "lora.alpha", "must be > 0 (got -1)"),
        new ConfigError(null, 0, "lora.dropout", "must be in [0, 1) (got 1.5)")), e.errors());
    assertEquals("The configuration has 3 errors:\nlora.r: must be > 0 (got 0)\nlora.alpha: must be > 0 (got -1)\n"
        + "lora.dropout: must be in [0, 1) (got 1.5)", e.getMessage());
  }

  @Test
  void theSecretNeverShowsInToString() {
    JobConfig c = TestFiles.load(dir, BASE + "parameter_server:\n  secret: s3cr3t-s3cr3t-s3cr3t\n");
    assertEquals("s3cr3t-s3cr3t-s3cr3t", c.parameterServer().secret());
    assertEquals(-1, c.toString().indexOf("s3cr3t"), c.toString());
    assertEquals("127.0.0.1", c.parameterServer().bindHost());
    assertEquals(0, c.parameterServer().bindPort());
    assertEquals(true, c.parameterServer().isLoopback());
  }
}
