package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --set key=value} overrides: typing by schema, null, errors named after {@code --set}. */
class OverridesTest {

  @TempDir
  Path dir;

  private static final String FILE = BASE + """
      lora:
        r: 8
      train:
        lr: 1.0e-3
      """;

  @Test
  void valuesAreTypedByTheSchema() {
    JobConfig c = TestFiles.load(dir, FILE, "lora.r=16", "lora.alpha=32", "lora.dropout=0.05", "lora.rslora=TRUE",
        "train.lr=5e-4", "train.max_grad_norm=0", "distributed.step_timeout=500ms", "distributed.mode=local-sgd",
        "model.path=hdfs://nn:8020/models/tiny", "seed=7", "spark.master=local[2]");
    assertEquals(16, c.lora().r());
    assertEquals(32.0, c.lora().alpha());
    assertEquals(0.05, c.lora().dropout());
    assertTrue(c.lora().rslora());
    assertEquals(5e-4, c.train().lr());
    assertEquals(0.0, c.train().maxGradNorm());
    assertFalse(c.train().clipsGradients());
    assertEquals(Duration.ofMillis(500), c.distributed().stepTimeout());
    assertEquals(org.lorafleet.ps.api.UpdateMode.LOCAL_SGD, c.distributed().mode());
    assertEquals("hdfs://nn:8020/models/tiny", c.model().path());
    assertEquals(7, c.seed());
    assertEquals("local[2]", c.spark().master());
  }

  @Test
  void listsInBracketsOrWithCommasAndQuotedRegexes() {
    assertEquals(TargetModules.suffixes(List.of("q_proj", "k_proj")),
        TestFiles.load(dir, FILE, "lora.target_modules=[q_proj, k_proj]").lora().targetModules());
    assertEquals(TargetModules.suffixes(List.of("c_attn", "c_proj")),
        TestFiles.load(dir, FILE, "lora.target_modules=c_attn,c_proj").lora().targetModules());
    assertEquals(TargetModules.suffixes(List.of("o_proj")),
        TestFiles.load(dir, FILE, "lora.target_modules=[o_proj]").lora().targetModules());
    assertEquals(TargetModules.allLinear(), TestFiles.load(dir, FILE, "lora.target_modules=all-linear").lora().targetModules());
    assertEquals(TargetModules.regex(".*\\.(q|v){1,2}_proj"),
        TestFiles.load(dir, FILE, "lora.target_modules='.*\\.(q|v){1,2}_proj'").lora().targetModules());
  }

  @Test
  void nullClearsAValueAndSwitchesBetweenStepsAndEpochs() {
    JobConfig c = TestFiles.load(dir, BASE, "train.epochs=3", "train.max_steps=null", "model.adapter=~", "spark.master=null");
    assertEquals(3, c.train().epochs());
    assertNull(c.train().maxSteps());
    assertNull(c.model().adapter());
    assertNull(c.spark().master());
    JobConfig fileEval = TestFiles.load(dir, BASE.replace("train: d.jsonl", "train: d.jsonl\n  eval: e.jsonl"), "data.eval=null");
    assertNull(fileEval.data().eval());
    assertEquals(0.02, fileEval.data().evalFraction(), "without an eval file the default fraction applies");
  }

  @Test
  void createsMissingSectionsAndSparkConfEntries() {
    JobConfig c = TestFiles.load(dir, BASE, "checkpoint.keep_last=5", "spark.conf.spark.executor.memory=4g",
        "spark.conf.spark.sql.shuffle.partitions=8");
    assertEquals(5, c.checkpoint().keepLast());
    assertEquals(Map.of("spark.executor.memory", "4g", "spark.sql.shuffle.partitions", "8"), c.spark().conf());
    JobConfig removed = TestFiles.load(dir, BASE + "spark:\n  conf:\n    a.b: x\n    c: y\n", "spark.conf.a.b=null");
    assertEquals(Map.of("c", "y"), removed.spark().conf());
  }

  @Test
  void laterOverridesWinAndTheParsedDocumentIsNotChanged() {
    assertEquals(4, TestFiles.load(dir, FILE, "lora.r=2", "lora.r=4").lora().r());
    LocatedYaml doc = LocatedYaml.parse(FILE, "mem.yaml");
    assertEquals(32, ConfigLoader.resolve(doc, List.of("lora.r=32"), "trial 1").lora().r());
    assertEquals(8, ConfigLoader.resolve(doc, List.of(), "trial 2").lora().r());
  }

  @Test
  void unknownOverrideKeysGetSuggestionsNamingSet() {
    ConfigException e = TestFiles.failure(dir, FILE, "lora.alpah=3", "lroa.r=4", "train.lr.x=1", "lora=8",
        "spark.conf=x", "noequals", "=5", "lora..r=1");
    assertEquals(List.of(
        new ConfigError("--set", 0, "lora.alpah", "unknown key; did you mean 'alpha'?"),
        new ConfigError("--set", 0, "lroa", "unknown key; did you mean 'lora'?"),
        new ConfigError("--set", 0, "train.lr.x", "train.lr is a single value, not a section"),
        new ConfigError("--set", 0, "lora", "is a section; set one of its keys, e.g. lora.r"),
        new ConfigError("--set", 0, "spark.conf", "is a mapping; set one entry with spark.conf.<name>=value"),
        new ConfigError("--set", 0, "noequals", "expected key=value, e.g. train.lr=1e-4 (got 'noequals')"),
        new ConfigError("--set", 0, null, "expected key=value, e.g. train.lr=1e-4 (got '=5')"),
        new ConfigError("--set", 0, "lora..r", "is not a valid key (empty part between dots)")), e.errors());
    assertEquals("--set: lora.alpah: unknown key; did you mean 'alpha'?", e.errors().get(0).toString());
  }

  @Test
  void badOverrideValuesAreReportedAtSet() {
    ConfigException e = TestFiles.failure(dir, FILE, "train.micro_batch_size=four", "train.lr=-1", "lora.rslora=yes",
        "distributed.mode=fast");
    assertEquals(List.of(
        new ConfigError("--set", 0, "lora.rslora", "expected true or false, got 'yes'"),
        new ConfigError("--set", 0, "train.micro_batch_size", "expected an integer, got 'four'"),
        new ConfigError("--set", 0, "train.lr", "must be > 0 (got -1)"),
        new ConfigError("--set", 0, "distributed.mode", "must be one of sync, local-sgd, async (got 'fast')")),
        e.errors());
  }

  @Test
  void overrideErrorsComeAfterFileErrors() {
    ConfigException e = TestFiles.failure(dir, FILE + "output:\n  merge: 3\n", "lora.r=0");
    String f = dir.resolve("job.yaml").toString();
    assertEquals(List.of(new ConfigError(f, 11, "output.merge", "expected true or false, got 3"),
        new ConfigError("--set", 0, "lora.r", "must be > 0 (got 0)")), e.errors());
  }
}
