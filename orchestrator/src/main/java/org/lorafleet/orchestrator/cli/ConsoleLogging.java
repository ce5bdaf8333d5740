package org.lorafleet.orchestrator.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * How much the console logs: warnings and errors by default, plus the one line naming the native
 * backend; {@code --verbose} brings back Spark's, Hadoop's and our INFO lines. Set in code, not only
 * in {@code log4j2.properties}, because under {@code spark-submit} Spark's own logging configuration
 * (INFO) is loaded before the application jar is on the class path.
 */
final class ConsoleLogging {

  private ConsoleLogging() {}

  /** Applies the levels; without log4j-core as the logging backend (another SLF4J binding) does nothing. */
  static void apply(boolean verbose) {
    try {
      Configurator.setRootLevel(verbose ? Level.INFO : Level.WARN);
      Configurator.setLevel("org.lorafleet.trainer.backend.NativeBuild", Level.INFO);
      // DJL's tokenizers run on the CPU; its GPU probe warns on every machine without a CUDA driver.
      Configurator.setLevel("ai.djl.util.cuda.CudaUtils", verbose ? Level.INFO : Level.ERROR);
      Configurator.setLevel("org.apache.hadoop.util.NativeCodeLoader", verbose ? Level.INFO : Level.ERROR);
      Configurator.setLevel("org.apache.spark.BarrierTaskContext", verbose ? Level.INFO : Level.ERROR);
    } catch (LinkageError | ClassCastException notLog4jCore) {
      // the backend is not log4j-core: its own configuration decides
    }
  }
}
