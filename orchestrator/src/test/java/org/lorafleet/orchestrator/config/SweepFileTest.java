package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.orchestrator.sweep.SweepPlan;

/**
 * Sweep files: defaults, every validation rule (one mistake on the line marked {@code #<}, exactly
 * that error), problems in trials' jobs placed at the sweep-file line that caused them, overrides.
 */
class SweepFileTest {

  @TempDir
  Path dir;

  static final String HEAD = "sweep:\n  name: s\n  base: job.yaml\n";

  @BeforeEach
  void writeBase() {
    TestFiles.write(dir, "job.yaml", TestFiles.BASE.replace("  train: d.jsonl\n", "  train: d.jsonl\n  eval_fraction: 0.1\n"));
  }

  private SweepFile load(String text, String... overrides) {
    return SweepFile.load(TestFiles.write(dir, "sweep.yaml", text).toString(), List.of(overrides),
        ConfigLoader.LOCAL_FILES);
  }

  private ConfigException failure(String text) {
    return assertThrows(ConfigException.class, () -> SweepPlan.build(load(text)), "expected a rejection:\n" + text);
  }

  @Test
  void defaultsAndGridTrials() {
    SweepFile f = load(HEAD + "parameters:\n  train.lr: [1.0e-4, 3.0e-4]\n  lora.r: [4, 8]\n");
    SweepConfig s = f.sweep();
    assertEquals(SweepConfig.Metric.EVAL_LOSS, s.metric());
    assertEquals(SweepConfig.Goal.MINIMIZE, s.goal());
    assertEquals(SweepConfig.Method.GRID, s.method());
    assertEquals(1, s.parallel());
    assertEquals("out/sweeps/s", s.outputDir());
    assertNull(f.earlyStopping());
    assertEquals(dir.resolve("job.yaml").toString(), f.baseLocation());
    SweepPlan plan = SweepPlan.build(f);
    assertEquals(4, plan.trials().size());
    var t3 = plan.trials().get(2);
    assertEquals("trial-003", t3.id());
    assertEquals(java.util.Map.of("train.lr", "3.0e-4", "lora.r", "4"), t3.params());
    assertEquals(3.0e-4, t3.job().train().lr());
    assertEquals(4, t3.job().lora().r());
    assertEquals("s-trial-003", t3.job().name());
    assertEquals("out/sweeps/s/trials/trial-003", t3.job().output().dir());
    assertEquals("out/sweeps/s/trials/trial-003/checkpoints", t3.job().checkpoint().dir());
    assertEquals(CheckpointConfig.Resume.Mode.AUTO, t3.job().checkpoint().resume().mode());
  }

  @Test
  void setAppliesToEveryTrialAndOverridesReachTheSweepSection() {
    SweepFile f = load(HEAD + "  set: [train.max_steps=7, lora.alpha=3]\n  trials: 1\n"
        + "parameters:\n  lora.r: [4, 8]\n", "sweep.parallel=2", "sweep.output_dir=elsewhere");
    assertEquals(2, f.sweep().parallel());
    SweepPlan plan = SweepPlan.build(f);
    assertEquals(1, plan.trials().size(), "grid limited by trials");
    assertEquals(7, plan.trials().get(0).job().train().maxSteps());
    assertEquals(3.0, plan.trials().get(0).job().lora().alpha());
    assertEquals("elsewhere/trials/trial-001", plan.trials().get(0).job().output().dir());
  }

  @Test
  void earlyStoppingRungs() {
    SweepFile f = load(HEAD + "parameters:\n  lora.r: [4]\nearly_stopping:\n  min_steps: 5\n");
    assertEquals(3, f.earlyStopping().reductionFactor());
    assertEquals(List.of(5L, 15L, 45L), List.of(f.earlyStopping().rungStep(0), f.earlyStopping().rungStep(1),
        f.earlyStopping().rungStep(2)));
    assertEquals(Long.MAX_VALUE, f.earlyStopping().rungStep(100));
  }

  static Arguments c(String yaml, String key, String message) {
    return Arguments.of(key + " / " + message, yaml, key, message);
  }

  static Stream<Arguments> mistakes() {
    String p = "parameters:\n  lora.r: [4, 8]\n";
    return Stream.of(
        c("sweep:  #<\n  base: job.yaml\n" + p, "sweep.name", "required key is missing"),
        c("sweep:\n  name: 'a b'  #<\n  base: job.yaml\n" + p, "sweep.name",
            "must consist of letters, digits, '.', '_' and '-' only (got 'a b')"),
        c("sweep:  #<\n  name: s\n" + p, "sweep.base", "required key is missing"),
        c(HEAD + "  metrc: eval_loss  #<\n" + p, "sweep.metrc", "unknown key; did you mean 'metric'?"),
        c(HEAD + "  metric: accuracy  #<\n" + p, "sweep.metric",
            "must be one of eval_loss, eval_perplexity, train_loss (got 'accuracy')"),
        c(HEAD + "  goal: minimise  #<\n" + p, "sweep.goal",
            "must be one of minimize, maximize (got 'minimise'); did you mean 'minimize'?"),
        c("sweep:  #<\n  name: s\n  base: job.yaml\n  method: random\n" + p, "sweep.trials",
            "is required with method random: say how many trials to sample"),
        c(HEAD + "  trials: 0  #<\n" + p, "sweep.trials", "must be >= 1 (got 0)"),
        c(HEAD + "  parallel: 0  #<\n" + p, "sweep.parallel", "must be >= 1 (got 0)"),
        c("sweep:  #<\n  name: s\n  base: job.yaml\n", "parameters", "required key is missing: list the job keys to sweep"),
        c(HEAD + "parameters: {}  #<\n", "parameters", "must list at least one job key to sweep"),
        c(HEAD + "parameters: [lora.r]  #<\n", "parameters",
            "expected a mapping of job keys to values, e.g. 'train.lr: [1.0e-4, 3.0e-4]'"),
        c(HEAD + "parameters:\n  train.lrr: [1, 2]  #<\n", "parameters.train.lrr",
            "unknown key; did you mean 'lr'? (not a key of section train)"),
        c(HEAD + "parameters:\n  lora: [1, 2]  #<\n", "parameters.lora",
            "is a section; sweep one of its keys, e.g. lora.r"),
        c(HEAD + "parameters:\n  seed.x: [1, 2]  #<\n", "parameters.seed.x", "seed is a single value, not a section"),
        c(HEAD + "parameters:\n  output.dir: [a, b]  #<\n", "parameters.output.dir",
            "is set by the sweep for each trial or shared by all of them; it cannot be swept"),
        c(HEAD + "parameters:\n  lora.r: []  #<\n", "parameters.lora.r", "needs at least one value"),
        c(HEAD + "parameters:\n  lora.r: [4, 4]  #<\n", "parameters.lora.r", "lists a value twice: [4, 4]"),
        c(HEAD + "parameters:\n  lora.r: 4  #<\n", "parameters.lora.r",
            "expected a list of values or one of {uniform: [min, max]}, {log_uniform: [min, max]}, {int: [min, max]}"),
        c(HEAD + "  method: random\n  trials: 2\nparameters:\n  train.lr: {log_uniform: [0, 1]}  #<\n",
            "parameters.train.lr", "log_uniform needs [min, max] with 0 < min < max (got [0, 1])"),
        c(HEAD + "  method: random\n  trials: 2\nparameters:\n  lora.dropout: {uniform: [0.2, 0.1]}  #<\n",
            "parameters.lora.dropout", "uniform needs [min, max] with min < max (got [0.2, 0.1])"),
        c(HEAD + "  method: random\n  trials: 2\nparameters:\n  lora.r: {int: [1.5, 4]}  #<\n",
            "parameters.lora.r", "int needs [min, max] with whole numbers min <= max (got [1.5, 4])"),
        c(HEAD + "  method: random\n  trials: 2\nparameters:\n  lora.r: {integer: [1, 4]}  #<\n",
            "parameters.lora.r", "unknown key; did you mean 'int'?"),
        c(HEAD + "  method: random\n  trials: 2\nparameters:\n  lora.r: {int: [1]}  #<\n",
            "parameters.lora.r", "int needs two numbers [min, max]"),
        c(HEAD + "parameters:\n  lora.dropout: {uniform: [0.0, 0.1]}  #<\n", "parameters.lora.dropout",
            "method grid needs a list of values; uniform draws values at random, so use it with method: random"),
        c(HEAD + p + "early_stopping:  #<\n  reduction_factor: 2\n", "early_stopping.min_steps",
            "is required: the step of the first rung"),
        c(HEAD + p + "early_stopping:\n  min_steps: 5\n  reduction_factor: 1  #<\n",
            "early_stopping.reduction_factor", "must be >= 2 (got 1)"),
        c(HEAD + p + "early_stoping:  #<\n  min_steps: 5\n", "early_stoping",
            "unknown key; did you mean 'early_stopping'?"),
        // Problems of a trial's job are placed where the sweep file gives the value.
        c(HEAD + "parameters:\n  lora.r: [0, 8]  #<\n", "parameters.lora.r", "in trial-001 (lora.r=0): must be > 0 (got 0)"),
        c(HEAD + "  set: [train.lr=-1]  #<\nparameters:\n  lora.r: [4]\n", "sweep.set",
            "in trial-001, train.lr: must be > 0 (got -1)"),
        c("sweep:\n  name: s\n  base: nothere.yaml  #<\n" + p, "sweep.base",
            "cannot read the base job file: " + "DIR/nothere.yaml: cannot read the file: no such file"),
        c("sweep:  #<\n  name: s\n  base: job.yaml\n  set: [data.eval_fraction=0]\n" + p, "sweep.metric",
            "metric eval_loss needs evaluation data, but the base job has none; set data.eval or data.eval_fraction > 0 "
                + "in DIR/job.yaml"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void eachMistakeGivesOneErrorAtItsLine(String title, String yaml, String key, String message) {
    ConfigException e = failure(yaml);
    String m = message.replace("DIR", dir.toString());
    assertEquals(1, e.errors().size(), () -> "expected one error, got:\n" + e.getMessage());
    ConfigError err = e.errors().get(0);
    assertEquals(new ConfigError(dir.resolve("sweep.yaml").toString(), TestFiles.markedLine(yaml), key, m), err,
        e.getMessage());
  }

  @Test
  void aSweepFileIsNotAJobFileAndViceVersa() {
    TestFiles.write(dir, "sweep.yaml", HEAD + "parameters:\n  lora.r: [4]\n");
    ConfigException asJob = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(dir.resolve("sweep.yaml").toString()));
    assertTrue(asJob.getMessage().contains("this is a sweep file, not a job file; run it with 'lorafleet sweep'"),
        asJob.getMessage());
    ConfigException asSweep = assertThrows(ConfigException.class, () -> SweepFile.load(
        dir.resolve("job.yaml").toString(), List.of(), ConfigLoader.LOCAL_FILES));
    assertTrue(asSweep.getMessage().contains("this is not a sweep file"), asSweep.getMessage());
  }

  @Test
  void everyDistinctTrialProblemIsReportedOnce() {
    ConfigException e = failure(HEAD + "parameters:\n  lora.r: [0, -1, 4]\n  lora.alpha: [1, 2]\n");
    assertEquals(2, e.errors().size(), e.getMessage());
    assertTrue(e.getMessage().contains("(lora.r=0): must be > 0 (got 0)"), e.getMessage());
    assertTrue(e.getMessage().contains("(lora.r=-1): must be > 0 (got -1)"), e.getMessage());
  }

  @Test
  void parametersCannotBeSetFromTheCommandLine() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(HEAD + "parameters:\n  lora.r: [4]\n", "parameters.lora.r=5"));
    assertEquals("--set: parameters: cannot be set with --set; edit the file", e.errors().get(0).toString());
  }
}
