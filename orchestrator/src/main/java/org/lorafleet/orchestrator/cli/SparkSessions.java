package org.lorafleet.orchestrator.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: under spark-submit the master and conf come from spark-submit;
 * otherwise from {@code --master}, else the config's {@code spark.master} (default {@code local[*]}).
 * The config's {@code spark.conf} entries apply in both cases. Executors get {@code GOMP_SPINCOUNT=0}
 * unless the conf sets it: libgomp's idle OpenMP threads otherwise spin after every ND4J op and starve
 * the next OpenBLAS GEMM (W1 ran 1.7× faster on 2 cores without the spinning; docs/benchmarks.md).
 * They also get {@code MALLOC_MMAP_THRESHOLD_=131072} unless set: glibc then returns the native buffers
 * ND4J frees to the system instead of keeping them (peak RSS ~15% lower; docs/models.md, "Memory modes").
 */
final class SparkSessions {

  private static final String EXECUTOR_GOMP = "spark.executorEnv.GOMP_SPINCOUNT";
  private static final String EXECUTOR_MALLOC = "spark.executorEnv.MALLOC_MMAP_THRESHOLD_";

  private SparkSessions() {}

  static SparkSession start(String appName, String masterFromCli, String masterFromConfig, Map<String, String> conf) {
    SparkConf launched = new SparkConf(); // reads spark.* system properties set by spark-submit
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (!launched.contains("spark.master")) {
      b.master(masterFromCli != null ? masterFromCli : masterFromConfig);
      b.config("spark.ui.showConsoleProgress", "false");
    }
    if (!launched.contains(EXECUTOR_GOMP) && !conf.containsKey(EXECUTOR_GOMP)) {
      b.config(EXECUTOR_GOMP, "0");
    }
    if (!launched.contains(EXECUTOR_MALLOC) && !conf.containsKey(EXECUTOR_MALLOC)) {
      b.config(EXECUTOR_MALLOC, "131072");
    }
    conf.forEach(b::config);
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
