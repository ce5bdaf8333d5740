package org.lorafleet.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.cli.Outcome.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.testsupport.ReferenceCases;
import picocli.CommandLine;

/** The lorafleet command line in-process: exit codes, messages and the commands that need no Spark. */
class CliTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @Test
  void helpAndVersionAreReadable() {
    Outcome help = run("--help");
    assertEquals(0, help.code());
    for (String cmd : new String[] {"train", "sweep", "validate", "data", "eval", "generate", "merge", "inspect"}) {
      assertTrue(help.out().contains(cmd), help.out());
      Outcome sub = run(cmd, "--help");
      assertEquals(0, sub.code(), cmd);
      assertTrue(sub.out().contains("Example"), cmd + " --help shows examples:\n" + sub.out());
    }
    Outcome version = run("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().contains("spark 3.5.6") && version.out().contains("nd4j 1.0.0-M2.1")
        && version.out().matches("(?s).*hadoop 3\\.\\d+\\.\\d+.*"), version.out());
    assertTrue(run("train", "--help").out().contains("--verbose"), "--verbose is offered by every command");
    assertEquals(0, run("validate", "--verbose", "-c", REPO.resolve("configs/quickstart.yaml").toString()).code());
    ConsoleLogging.apply(false); // the level is global: back to the default for the other tests
    Outcome completion = run("generate-completion");
    assertEquals(0, completion.code(), completion.err());
    assertTrue(completion.out().contains("complete -F") && completion.out().contains("inspect")
        && completion.out().contains("--set"), "a bash/zsh completion script for every command and option");
    assertEquals(Main.EXIT_USAGE, run("train").code(), "missing -c is a usage error");
  }

  @Test
  void validateAcceptsShippedConfigsAndReportsErrorsWithFileLineAndKey(@TempDir Path tmp) throws IOException {
    Outcome ok = run("validate", "-c", REPO.resolve("configs/quickstart.yaml").toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("is valid"), ok.out());
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "name: bad\nmodel: {path: m}\nlora: {r: 0, alpah: 3}\ndata: {train: t.jsonl}\n");
    Outcome err = run("validate", "-c", bad.toString());
    assertEquals(Main.EXIT_USAGE, err.code());
    assertTrue(err.err().contains("bad.yaml:3") && err.err().contains("lora.r"), err.err());
    assertTrue(err.err().contains("did you mean 'alpha'"), err.err());
    assertTrue(!err.err().contains("\tat "), "no stack trace for a config error:\n" + err.err());
    Outcome override = run("validate", "-c", REPO.resolve("configs/quickstart.yaml").toString(), "--set",
        "train.lr=-1");
    assertEquals(Main.EXIT_USAGE, override.code());
    assertTrue(override.err().contains("train.lr"), override.err());
  }

  /** validate prints the memory estimate and refuses, with the numbers, a job its executors cannot hold. */
  @Test
  void validatePrintsTheMemoryEstimateAndRefusesAJobThatCannotFit() {
    String config = REPO.resolve("configs/quickstart.yaml").toString();
    String model = "model.path=" + REPO.resolve("examples/models/tiny-llama");
    Outcome ok = run("validate", "-c", config, "--set", model);
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("Memory estimate per JVM:") && ok.out().contains("frozen base"), ok.out());
    Outcome tooSmall = run("validate", "-c", config, "--set", model, "--set", "spark.master=yarn", "--set",
        "spark.conf.spark.executor.memory=200m", "--set", "spark.conf.spark.executor.memoryOverhead=100m");
    assertEquals(Main.EXIT_USAGE, tooSmall.code(), tooSmall.out());
    assertTrue(tooSmall.err().contains("gets 300 MiB") && tooSmall.err().contains("model.quantize: nf4"),
        tooSmall.err());
    assertTrue(!tooSmall.err().contains("\tat "), tooSmall.err());
    Outcome enough = run("validate", "-c", config, "--set", model, "--set", "spark.master=yarn", "--set",
        "spark.conf.spark.executor.memory=2g");
    assertEquals(0, enough.code(), enough.err());
    assertTrue(enough.out().contains("1 worker(s)"), "one task per executor by default: " + enough.out());
  }

  /** A model folder whose weights file is not safetensors is the user's input: exit 2, named, no trace hint. */
  @Test
  void aBrokenModelFileIsAnInputError(@TempDir Path tmp) throws IOException {
    Path model = Files.createDirectories(tmp.resolve("broken-model"));
    Path tiny = REPO.resolve("examples/models/tiny-llama");
    try (var files = Files.list(tiny)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    Files.writeString(model.resolve(HfCheckpoint.WEIGHTS), "this is not a safetensors file");
    Outcome o = run("validate", "-c", REPO.resolve("configs/quickstart.yaml").toString(), "--set",
        "model.path=" + model);
    assertEquals(Main.EXIT_USAGE, o.code(), o.out() + o.err());
    assertTrue(o.err().startsWith("error: ") && o.err().contains("model.safetensors"), o.err());
    assertTrue(!o.err().contains("--stacktrace") && !o.err().contains("\tat "), o.err());
  }

  @Test
  void validateListsASweepsTrialsAndSweepRefusesABadSweepFileBeforeSparkStarts(@TempDir Path tmp) throws IOException {
    Outcome ok = run("validate", "-c", REPO.resolve("configs/sweep.yaml").toString(), "--set", "sweep.trials=2");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("is a valid sweep: 'lr-rank', 2 random trial(s)"), ok.out());
    assertTrue(ok.out().contains("trial-001  {train.lr=") && ok.out().contains("trial-002"), ok.out());
    Path bad = tmp.resolve("sweep.yaml");
    Files.writeString(bad, "sweep:\n  name: s\n  base: " + REPO.resolve("configs/quickstart.yaml")
        + "\nparameters:\n  lora.rank: [4, 8]\n");
    Outcome err = run("sweep", "-c", bad.toString());
    assertEquals(Main.EXIT_USAGE, err.code());
    assertTrue(err.err().contains("sweep.yaml:5: parameters.lora.rank: unknown key; did you mean 'r'? (not a key of section lora)"),
        err.err());
    assertTrue(!err.err().contains("\tat "), "no stack trace for a config error:\n" + err.err());
  }

  @Test
  void inspectSummarisesASweepFolder(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("leaderboard.json"), """
        {"sweep": "s", "metric": "eval_loss", "goal": "minimize", "trials": [
          {"rank": 1, "trial": "trial-002", "params": {"lora.r": "8"}, "status": "completed", "metric": 7.25,
           "steps": 6, "planned_steps": 6, "error": null},
          {"rank": 2, "trial": "trial-001", "params": {"lora.r": "4"}, "status": "failed", "metric": null,
           "steps": 0, "planned_steps": 0, "error": "boom"}]}
        """);
    Outcome o = run("inspect", tmp.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("Sweep 's': 2 trials, ranked by eval_loss (minimize)"), o.out());
    assertTrue(o.out().contains("trial-002  completed eval_loss 7.2500") && o.out().contains("lora.r=8"), o.out());
    assertTrue(o.out().contains("error: boom"), o.out());
  }

  @Test
  void inspectMergeAndGenerateWork(@TempDir Path tmp) {
    Outcome model = run("inspect", REPO.resolve("examples/models/tiny-llama").toString());
    assertEquals(0, model.code(), model.err());
    assertTrue(model.out().contains("model_type llama") && model.out().contains("model.embed_tokens.weight"),
        model.out());
    for (Path c : ReferenceCases.all()) {
      Outcome folder = run("inspect", c.toString());
      assertEquals(0, folder.code(), folder.err());
      assertTrue(folder.out().contains("  family ") && folder.out().contains(" parameters ("), folder.out());
      assertTrue(ReferenceCases.modelType(c).equals("gpt2") || folder.out().contains("  rope "), folder.out());
      Outcome adapter = run("inspect", c.resolve("adapter-trained").toString());
      assertEquals(0, adapter.code(), adapter.err());
      assertTrue(adapter.out().contains("PEFT adapter") && adapter.out().contains("lora_A"), adapter.out());
      Path merged = tmp.resolve(c.getFileName() + "-merged");
      Outcome merge = run("merge", "--model", c.toString(), "--adapter", c.resolve("adapter-trained").toString(),
          "--out", merged.toString());
      assertEquals(0, merge.code(), merge.err());
      try (HfCheckpoint m = HfCheckpoint.open(merged)) {
        assertTrue(m.tensorNames().size() > 0 && Files.exists(merged.resolve("tokenizer.json")));
        for (String companion : new String[] {"generation_config.json", "tokenizer_config.json", "chat_template.jinja"}) {
          assertEquals(Files.exists(c.resolve(companion)), Files.exists(merged.resolve(companion)), companion);
        }
      }
      Outcome gen = run("generate", "--model", c.toString(), "--adapter", c.resolve("adapter-trained").toString(),
          "--prompt", "Hello, world!", "--max-new-tokens", "5");
      assertEquals(0, gen.code(), gen.err());
      assertTrue(gen.out().contains("=== base model") && gen.out().contains("=== with adapter"), gen.out());
    }
    Outcome missing = run("inspect", tmp.resolve("nope").toString());
    assertEquals(Main.EXIT_USAGE, missing.code());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }
}
