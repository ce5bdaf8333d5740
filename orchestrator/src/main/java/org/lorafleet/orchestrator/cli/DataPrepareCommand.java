package org.lorafleet.orchestrator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.data.DataPipeline;
import org.lorafleet.orchestrator.io.HadoopDir;
import org.lorafleet.orchestrator.quality.CurationReport;
import org.lorafleet.orchestrator.quality.CurationRow;
import org.lorafleet.orchestrator.quality.RemovedRows;
import org.lorafleet.orchestrator.train.JobConversions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lorafleet data prepare -c job.yaml [--out DIR]}: reads the job's data, runs the curation
 * stages of {@code data.quality}, and writes the kept training rows as Parquet ({@code DIR/train}),
 * the eval rows ({@code DIR/eval}, when there are any), the removed rows with {@code keep_removed}
 * ({@code DIR/removed}) and {@code report.json} + {@code report.html}. A later job trains on the
 * curated set with {@code data.train: DIR/train} (and {@code data.eval: DIR/eval}).
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = "Curate a job's data once (data.quality stages) and write it as Parquet with a report.",
    footer = {"", "Examples:",
        "  lorafleet data prepare -c job.yaml --set data.quality.enabled=true --out curated/",
        "  lorafleet train -c job.yaml --set data.train=curated/train --set data.eval=curated/eval "
            + "--set data.eval_fraction=0"})
final class DataPrepareCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Job config.")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR",
      description = "Output folder, local or any Hadoop URI; must be absent or empty (default: <output.dir>/curated).")
  String out;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: the config's).")
  String master;

  @Override
  public Integer call() {
    JobConfig cfg = ConfigLoader.load(config, overrides, ConfigFiles::read);
    String dir = out != null ? out : cfg.output().dir() + "/curated";
    PrintWriter console = spec.commandLine().getOut();
    if (!cfg.data().quality().anyStage()) {
      console.println("Note: no data.quality stage is on, so the rows are written as read "
          + "(set data.quality.enabled: true for every stage).");
    }
    SparkSession spark = SparkSessions.start("lorafleet-data-" + cfg.name(), master, cfg.spark().master(),
        cfg.spark().conf());
    try {
      requireEmpty(spark, dir);
      DataPipeline.Curated c = DataPipeline.curate(spark, JobConversions.data(cfg.data()), cfg.data().quality(),
          cfg.seed());
      try {
        String textField = cfg.data().textField();
        JavaRDD<CurationRow> usable = c.rows().filter(r -> r.text() != null);
        HadoopDir target = new HadoopDir(dir, spark.sparkContext().hadoopConfiguration());
        long train = writeParquet(spark, usable.filter(r -> !r.eval()), textField, target.location("train"));
        long eval = writeParquet(spark, usable.filter(CurationRow::eval), textField, target.location("eval"));
        long unusable = c.rows().filter(r -> r.text() == null && !r.payload().isBlank()).count();
        if (c.result() != null && c.result().removed() != null) {
          RemovedRows.write(c.result().removed(), target.location("removed"));
        }
        CurationReport report = c.report() != null ? c.report() : new CurationReport(train, train, List.of());
        target.writeText("report.json", report.json());
        target.writeText("report.html", report.html("Data quality: " + cfg.name()));
        console.println(report.summary());
        console.printf("Wrote %,d training rows to %s%s.%n", train, target.location("train"),
            eval > 0 ? String.format(", %,d eval rows to %s", eval, target.location("eval")) : "");
        if (unusable > 0) {
          console.printf("Left out %,d malformed rows ('lorafleet validate' or a training run lists them).%n", unusable);
        }
        console.printf("Train on it with data.train: %s%s%n", target.location("train"),
            eval > 0 ? ", data.eval: " + target.location("eval") + ", data.eval_fraction: 0" : "");
        console.flush();
        return 0;
      } finally {
        c.release();
      }
    } finally {
      spark.stop();
    }
  }

  /** Writes the rows as Parquet in id order; text-file lines become {@code {textField: line}}. Blocks. */
  private static long writeParquet(SparkSession spark, JavaRDD<CurationRow> rows, String textField, String location) {
    long n = rows.count();
    if (n == 0) {
      return 0;
    }
    JavaRDD<String> json = rows.sortBy(CurationRow::id, true, Math.max(1, rows.getNumPartitions()))
        .map(r -> r.json() ? r.payload() : JSON.createObjectNode().put(textField, r.payload()).toString());
    spark.read().json(spark.createDataset(json.rdd(), Encoders.STRING())).write().parquet(location);
    return n;
  }

  private static void requireEmpty(SparkSession spark, String dir) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(p)) {
        FileStatus[] children = fs.listStatus(p);
        if (!fs.getFileStatus(p).isDirectory() || children.length > 0) {
          throw new IllegalArgumentException("The output " + dir + " exists and is not an empty folder; choose "
              + "another --out or remove it (nothing is overwritten).");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check the output folder " + dir + ".", e);
    }
  }
}
