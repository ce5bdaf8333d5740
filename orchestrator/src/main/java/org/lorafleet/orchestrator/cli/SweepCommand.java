package org.lorafleet.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.config.SweepFile;
import org.lorafleet.orchestrator.sweep.SweepPlan;
import org.lorafleet.orchestrator.sweep.SweepRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lorafleet sweep -c sweep.yaml}: validates the sweep file and every trial's job, then runs
 * the trials in one Spark application. Running it again continues an interrupted sweep.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {"Run a LoRA sweep: grid or random trials of a base job, optionally stopped early by successive "
        + "halving, ranked in leaderboard.csv/.json and report.html.",
        "Running the same command again continues an interrupted sweep: finished trials are kept, unfinished ones "
            + "resume from their checkpoints."},
    footer = {"", "Examples:", "  lorafleet sweep -c configs/sweep.yaml",
        "  lorafleet sweep -c configs/sweep.yaml --set sweep.parallel=2 --master local[4]",
        "  lorafleet validate -c configs/sweep.yaml      # list the trials' problems without running"})
final class SweepCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "Sweep file (YAML); a local path or a Hadoop URI.")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override a key of the sweep file, e.g. --set sweep.parallel=2 (repeatable). Job keys for every "
          + "trial go in the file's sweep.set list.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master when not launched by spark-submit (default: the base job's spark.master).")
  String master;

  @Option(names = "--retry-failed", description = "Run trials that failed in an earlier run of this sweep again.")
  boolean retryFailed;

  @Option(names = "--stacktrace", description = "Print the full stack trace of a failure.")
  boolean stacktrace;

  @Override
  public Integer call() {
    SweepPlan plan = SweepPlan.build(SweepFile.load(config, overrides, ConfigFiles::read));
    JobConfig first = plan.trials().get(0).job();
    SparkSession spark = SparkSessions.start("lorafleet-sweep-" + plan.sweep().name(), master,
        first.spark().master(), first.spark().conf());
    try {
      SweepRunner.Result r = SweepRunner.run(plan, spark,
          new SweepRunner.Options(System.out, retryFailed, java.util.Map.of(), 0));
      boolean anyOk = r.ranked().stream().anyMatch(t -> !t.status().equals("failed"));
      return anyOk ? 0 : Main.EXIT_FAILURE;
    } finally {
      spark.stop();
    }
  }
}
