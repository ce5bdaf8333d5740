package org.lorafleet.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lorafleet validate -c job.yaml}: checks a config without running anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a job config (every error at once, with file, line and key) without running it.",
    footer = {"", "Examples:", "  lorafleet validate -c configs/quickstart.yaml",
        "  lorafleet validate -c job.yaml --set train.lr=1e-3"})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Job config (YAML).")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    JobConfig cfg = ConfigLoader.load(config, overrides, ConfigFiles::read);
    var out = spec.commandLine().getOut();
    String steps = cfg.train().maxSteps() != null ? cfg.train().maxSteps() + " steps" : cfg.train().epochs() + " epoch(s)";
    out.printf(Locale.ROOT, "%s is valid: job '%s', model %s, LoRA r=%d on %s, %d worker(s) in %s mode, %s, "
            + "output %s.%n", config, cfg.name(), cfg.model().path(), cfg.lora().r(), cfg.lora().targetModules().toYaml(),
        cfg.distributed().workers(), cfg.distributed().mode().yamlName(), steps, cfg.output().dir());
    out.flush();
    return 0;
  }
}
