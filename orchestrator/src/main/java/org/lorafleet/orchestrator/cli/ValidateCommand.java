package org.lorafleet.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.config.SweepFile;
import org.lorafleet.orchestrator.sweep.SweepPlan;
import org.lorafleet.orchestrator.train.MemoryBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lorafleet validate -c job.yaml|sweep.yaml}: checks a job or sweep file without running anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a job or sweep file (every error at once, with file, line and key) without running it. "
        + "For a sweep, every trial's job is built and checked.",
    footer = {"", "Examples:", "  lorafleet validate -c configs/quickstart.yaml",
        "  lorafleet validate -c job.yaml --set train.lr=1e-3", "  lorafleet validate -c configs/sweep.yaml"})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Job or sweep file (YAML).")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    if (SweepFile.isSweep(ConfigLoader.read(config, ConfigFiles::read))) {
      SweepPlan plan = SweepPlan.build(SweepFile.load(config, overrides, ConfigFiles::read));
      var s = plan.sweep();
      out.printf(Locale.ROOT, "%s is a valid sweep: '%s', %d %s trial(s) of %s varying %s, %d at a time, ranked by %s "
              + "(%s)%s, output %s.%n", config, s.name(), plan.trials().size(), s.method().yamlName(),
          plan.file().baseLocation(), plan.trials().get(0).params().keySet(), s.parallel(), s.metric().yamlName(),
          s.goal().yamlName(), plan.file().earlyStopping() == null ? ""
              : ", early stopping from step " + plan.file().earlyStopping().minSteps() + " (η="
                  + plan.file().earlyStopping().reductionFactor() + ")", s.outputDir());
      plan.trials().forEach(t -> out.println("  " + t.id() + "  " + t.params()));
      out.flush();
      return 0;
    }
    JobConfig cfg = ConfigLoader.load(config, overrides, ConfigFiles::read);
    String steps = cfg.train().maxSteps() != null ? cfg.train().maxSteps() + " steps" : cfg.train().epochs() + " epoch(s)";
    out.printf(Locale.ROOT, "%s is valid: job '%s', model %s, LoRA r=%d on %s, %d worker(s) in %s mode, %s, "
            + "output %s.%n", config, cfg.name(), cfg.model().path(), cfg.lora().r(), cfg.lora().targetModules().toYaml(),
        cfg.distributed().workers(), cfg.distributed().mode().configName(), steps, cfg.output().dir());
    String model = cfg.model().path();
    if (org.lorafleet.orchestrator.hub.HubModelId.looksLikeHubId(model)) {
      out.println("Memory estimate skipped: model " + model + " is a Hub id, downloaded when the job runs (train "
          + "prints the estimate then).");
      out.flush();
      return 0;
    }
    if (model.contains("://") && !model.startsWith("file:") || !java.nio.file.Files.isDirectory(
        java.nio.file.Path.of(model.startsWith("file:") ? java.net.URI.create(model).getPath() : model))) {
      out.println("Memory estimate skipped: the model folder " + model + " is not on this machine (train prints it "
          + "where the job runs).");
      out.flush();
      return 0;
    }
    MemoryBudget.Check memory = MemoryBudget.of(cfg, cfg.spark().master(), cfg.spark().conf());
    out.println(memory.describe());
    out.flush();
    MemoryBudget.requireFits(memory);
    return 0;
  }
}
