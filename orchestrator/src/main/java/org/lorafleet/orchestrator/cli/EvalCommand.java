package org.lorafleet.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.train.Evaluations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lorafleet eval -c job.yaml}: eval loss and perplexity of the base model and/or an adapter. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluation loss and perplexity on the config's eval data, for the base model and an adapter.",
    footer = {"", "Examples:", "  lorafleet eval -c configs/quickstart.yaml            # base vs model.adapter and out/quickstart/adapter",
        "  lorafleet eval -c configs/quickstart.yaml --adapter out/other/adapter --set train.eval_max_sequences=200"})
final class EvalCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "Job config whose model and eval data to use (data.eval or data.eval_fraction).")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--adapter", paramLabel = "DIR",
      description = "Adapter to evaluate (default: model.adapter when set, and <output.dir>/adapter when it exists).")
  String adapter;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: the config's).")
  String master;

  @Override
  public Integer call() {
    JobConfig cfg = ConfigLoader.load(config, overrides, ConfigFiles::read);
    List<String> adapters = new ArrayList<>();
    if (adapter != null) {
      adapters.add(adapter);
    } else {
      if (cfg.model().adapter() != null) {
        adapters.add(cfg.model().adapter()); // the adapter training started from
      }
      java.nio.file.Path trained = java.nio.file.Path.of(cfg.output().dir(), "adapter");
      if (java.nio.file.Files.isDirectory(trained) && !adapters.contains(trained.toString())) {
        adapters.add(trained.toString());
      }
    }
    SparkSession spark = SparkSessions.start("lorafleet-eval-" + cfg.name(), master, cfg.spark().master(),
        cfg.spark().conf());
    try {
      var out = spec.commandLine().getOut();
      JobConfig job = org.lorafleet.orchestrator.model.HubModels.resolve(cfg, spark.sparkContext().master(),
          spark.sparkContext().hadoopConfiguration(), System.err).config(); // progress of a download on stderr
      for (Evaluations.Line l : Evaluations.baseAndAdapters(job, spark, adapters)) {
        out.printf(Locale.ROOT, "%-48s loss %.4f  perplexity %.2f  (%,d tokens)%n", l.what(), l.loss(), l.perplexity(),
            l.tokens());
      }
      out.flush();
      return 0;
    } finally {
      spark.stop();
    }
  }
}
