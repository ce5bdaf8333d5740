package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every job file in configs/ loads, is headed by what it is and the command that runs it, and round-trips. */
class ShippedConfigsTest {

  /** configs/ of the repository; tests run in the orchestrator module folder. */
  static Path configsDir() {
    Path fromModule = Path.of("..", "configs").toAbsolutePath().normalize();
    return Files.isDirectory(fromModule) ? fromModule : Path.of("configs").toAbsolutePath();
  }

  static List<Path> jobFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(configsDir())) {
      for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        // Files with a top-level 'sweep' key are sweep files, read by the sweep loader.
        if (!LocatedYaml.parse(Files.readString(p), p.toString()).root().has("sweep")) {
          out.add(p);
        }
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyShippedJobFileLoads() throws IOException {
    List<Path> files = jobFiles();
    assertFalse(files.isEmpty(), "no job files found in " + configsDir());
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
      JobConfig c = ConfigLoader.load(p.toString(), List.of());
      assertEquals(c, ConfigLoader.parse(ConfigWriter.toYaml(c), "resolved", List.of()));
      List<String> lines = Files.readAllLines(p);
      assertTrue(lines.get(0).startsWith("# ") && lines.get(0).length() > 10, p + ": first line says what it is");
      String run = lines.get(1);
      assertTrue(run.startsWith("# Run: bin/lorafleet train -c configs/" + p.getFileName())
          || run.startsWith("# Run: spark-submit "), p + ": second line is the command: " + run);
    }));
  }

  static List<Path> sweepFiles() throws IOException {
    List<Path> jobs = jobFiles();
    try (Stream<Path> s = Files.list(configsDir())) {
      return s.filter(f -> f.toString().endsWith(".yaml") && !jobs.contains(f)).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyShippedSweepFileLoadsWithEveryTrial() throws IOException {
    List<Path> files = sweepFiles();
    assertFalse(files.isEmpty(), "no sweep files found in " + configsDir());
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
      SweepFile f = SweepFile.load(p.toString(), List.of(), ConfigLoader.LOCAL_FILES);
      var plan = org.lorafleet.orchestrator.sweep.SweepPlan.build(f);
      assertFalse(plan.trials().isEmpty());
      assertEquals(f.parameters().size(), plan.trials().get(0).params().size());
      List<String> lines = Files.readAllLines(p);
      assertTrue(lines.get(0).startsWith("# ") && lines.get(0).length() > 10, p + ": first line says what it is");
      assertTrue(lines.get(1).startsWith("# Run: bin/lorafleet sweep -c configs/" + p.getFileName()),
          p + ": second line is the command: " + lines.get(1));
    }));
  }

  @Test
  void expectedFilesAreShipped() throws IOException {
    List<String> names = jobFiles().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.containsAll(List.of("quickstart.yaml", "yarn-cluster.yaml", "sync.yaml", "local-sgd.yaml",
        "async.yaml")), names.toString());
  }

  @Test
  void quickstartIsTheDocumentedJob() {
    JobConfig c = ConfigLoader.load(configsDir().resolve("quickstart.yaml").toString(), List.of());
    assertEquals("examples/models/tiny-llama", c.model().path());
    assertEquals("examples/data/debian-descriptions/train.jsonl", c.data().train());
    assertEquals("examples/data/debian-descriptions/eval.jsonl", c.data().eval());
    assertEquals(DataConfig.Format.COMPLETION, c.data().format());
    assertEquals(128, c.data().maxSeqLen());
    assertEquals(new LoraConfig(8, 16, 0.0, TargetModules.allLinear(), false), c.lora());
    assertEquals(8, c.train().microBatchSize());
    assertEquals(150, c.train().maxSteps());
    assertEquals(3e-3, c.train().lr());
    assertEquals(TrainConfig.Schedule.COSINE, c.train().schedule());
    assertEquals(10, c.train().warmupSteps());
    assertEquals(25, c.train().evalEvery());
    assertEquals(2, c.distributed().workers());
    assertEquals(org.lorafleet.ps.api.UpdateMode.SYNC, c.distributed().mode());
    assertEquals("out/quickstart", c.output().dir());
  }

  @Test
  void variantsUseTheirUpdateRuleAndTheClusterFileUsesHdfs() {
    Path d = configsDir();
    assertEquals(org.lorafleet.ps.api.UpdateMode.SYNC, ConfigLoader.load(d.resolve("sync.yaml").toString()).distributed().mode());
    assertEquals(org.lorafleet.ps.api.UpdateMode.LOCAL_SGD,
        ConfigLoader.load(d.resolve("local-sgd.yaml").toString()).distributed().mode());
    assertEquals(org.lorafleet.ps.api.UpdateMode.ASYNC, ConfigLoader.load(d.resolve("async.yaml").toString()).distributed().mode());

    JobConfig yarn = ConfigLoader.load(d.resolve("yarn-cluster.yaml").toString());
    assertEquals(8, yarn.distributed().workers());
    assertEquals("0.0.0.0:0", yarn.parameterServer().bind());
    assertFalse(yarn.parameterServer().isLoopback());
    assertTrue(yarn.parameterServer().autoTls(), "off loopback the shipped config speaks TLS");
    for (String path : List.of(yarn.model().path(), yarn.data().train(), yarn.data().eval(), yarn.output().dir(),
        yarn.checkpoint().dir())) {
      assertTrue(path.startsWith("hdfs://"), path);
    }
    assertFalse(LocatedYaml.parse(read(d.resolve("yarn-cluster.yaml")), "y").root().get("spark").has("master"),
        "the cluster file leaves the master to spark-submit");
    assertNull(yarn.model().adapter());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
