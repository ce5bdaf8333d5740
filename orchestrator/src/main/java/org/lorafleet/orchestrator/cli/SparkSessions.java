package org.lorafleet.orchestrator.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: under spark-submit the master and conf come from spark-submit;
 * otherwise from {@code --master}, else the config's {@code spark.master} (default {@code local[*]}).
 * The config's {@code spark.conf} entries apply in both cases.
 */
final class SparkSessions {

  private SparkSessions() {}

  static SparkSession start(String appName, String masterFromCli, String masterFromConfig, Map<String, String> conf) {
    SparkConf launched = new SparkConf(); // reads spark.* system properties set by spark-submit
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (!launched.contains("spark.master")) {
      b.master(masterFromCli != null ? masterFromCli : masterFromConfig);
      b.config("spark.ui.showConsoleProgress", "false");
    }
    conf.forEach(b::config);
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
