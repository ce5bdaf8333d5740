package org.lorafleet.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lorafleet train -c job.yaml}: validates the whole config first, then runs the job on Spark. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Fine-tune a LoRA adapter as the config describes (embedded Spark unless launched by spark-submit).",
    footer = {"", "Examples:", "  lorafleet train -c configs/quickstart.yaml",
        "  lorafleet train -c configs/quickstart.yaml --set distributed.workers=1 --set train.micro_batch_size=16",
        "  lorafleet train -c job.yaml --resume out/demo/checkpoints/step-000100"})
final class TrainCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "Job config (YAML); a local path or a Hadoop URI such as hdfs:///jobs/job.yaml.")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override a config key, e.g. --set train.lr=1e-3 (repeatable; applied before validation).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master when not launched by spark-submit (default: the config's spark.master).")
  String master;

  @Option(names = "--resume", paramLabel = "PATH", description = "Resume from this checkpoint folder.")
  String resume;

  @Option(names = "--force", description = "Resume even if the checkpoint's model, LoRA shape or data differ.")
  boolean force;

  @Option(names = "--stacktrace", description = "Print the full stack trace of a failure.")
  boolean stacktrace;

  @Option(names = "--fail-at", hidden = true, paramLabel = "WORKER:STEP",
      description = "Testing aid: make one worker fail once at a step.")
  String failAt;

  @Override
  public Integer call() {
    JobConfig cfg = ConfigLoader.load(config, overrides, ConfigFiles::read);
    SparkSession spark = SparkSessions.start("lorafleet-" + cfg.name(), master, cfg.spark().master(),
        cfg.spark().conf());
    try {
      TrainJob.run(cfg, spark, new TrainJob.Options(resume, force, failAt,
          org.lorafleet.orchestrator.train.StatusLine.console(System.out)));
      return 0;
    } finally {
      spark.stop();
    }
  }
}
