package org.lorafleet.orchestrator.train;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.memory.MemoryEstimate;
import org.lorafleet.trainer.model.HfModelConfig;
import org.lorafleet.trainer.model.HfModelConfigReader;

/**
 * A job's predicted memory per JVM against what that JVM will get: in local mode every worker runs
 * in this JVM, bounded by the machine's memory; on a cluster each executor runs
 * {@code spark.executor.cores / spark.task.cpus} workers within {@code spark.executor.memory} +
 * {@code spark.executor.memoryOverhead} (ND4J's arrays live off the Java heap, so on YARN they
 * count against the overhead).
 */
public final class MemoryBudget {

  /** The estimate and the memory available to the JVM it describes. */
  public record Check(MemoryEstimate estimate, long available, String where) {

    public boolean fits() {
      return estimate.total() <= available;
    }

    /** The console line: the estimate's parts and the budget. */
    public String describe() {
      return estimate.describe() + String.format(Locale.ROOT, " Available: %,.0f MiB (%s).", available / 1048576.0,
          where);
    }
  }

  private MemoryBudget() {}

  /**
   * Estimates the job; reads the model's config.json and safetensors headers (local, or fetched once).
   *
   * @param sparkConf the Spark properties in force (the job file's, or the running context's, which
   *     include spark-submit's options)
   */
  public static Check of(JobConfig cfg, String master, Map<String, String> sparkConf) {
    boolean local = master == null || master.startsWith("local");
    int workers = local ? cfg.distributed().workers() : tasksPerExecutor(sparkConf);
    try (HfCheckpoint ck = HfCheckpoint.open(LocalModelDir.of(cfg.model().path()))) {
      HfModelConfig model = HfModelConfigReader.read(ck.config(), ck.dir().resolve(HfCheckpoint.CONFIG).toString());
      MemoryEstimate e = MemoryEstimate.of(ck, model, cfg.loadOptions(), JobConversions.lora(cfg.lora()),
          cfg.train().microBatchSize(), cfg.data().maxSeqLen(), cfg.train().gradientCheckpointing(), workers,
          MemoryEstimate.SPARK_JVM_BASELINE);
      return local ? new Check(e, physicalMemory(), "this machine's memory, shared by " + workers + " local worker(s)")
          : new Check(e, executorMemory(sparkConf), "spark.executor.memory + memoryOverhead, "
              + workers + " task(s) per executor");
    }
  }

  /**
   * Fails with the numbers and what to change when the job cannot fit.
   *
   * @throws IllegalArgumentException when the estimate exceeds the available memory
   */
  public static void requireFits(Check c) {
    if (!c.fits()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "The job needs about %,.0f MiB per JVM but gets %,.0f MiB (%s). %s To fit: hold the base in half "
              + "precision (model.dtype: bfloat16) or quantised (model.quantize: nf4), set "
              + "train.gradient_checkpointing: true, lower train.micro_batch_size or data.max_seq_len, or give "
              + "executors more memory (spark.executor.memoryOverhead holds ND4J's off-heap arrays).",
          c.estimate().total() / 1048576.0, c.available() / 1048576.0, c.where(), c.estimate().describe()));
    }
  }

  static int tasksPerExecutor(Map<String, String> conf) {
    int cores = Integer.parseInt(conf.getOrDefault("spark.executor.cores", "1").trim());
    int perTask = Integer.parseInt(conf.getOrDefault("spark.task.cpus", "1").trim());
    return Math.max(1, cores / Math.max(1, perTask));
  }

  static long executorMemory(Map<String, String> conf) {
    long heap = bytes(conf.getOrDefault("spark.executor.memory", "1g"));
    String overhead = conf.get("spark.executor.memoryOverhead");
    long extra = overhead != null ? bytes(overhead) : Math.max(384L << 20, (long) (heap * 0.10));
    return heap + extra;
  }

  /** Spark's size strings: a number with an optional k, m, g or t suffix (no suffix: MiB, as Spark reads memory keys). */
  static long bytes(String size) {
    String s = size.trim().toLowerCase(Locale.ROOT).replaceAll("b$", "");
    long unit = 1L << 20;
    char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
    switch (last) {
      case 'k' -> unit = 1L << 10;
      case 'm' -> unit = 1L << 20;
      case 'g' -> unit = 1L << 30;
      case 't' -> unit = 1L << 40;
      default -> {
        return Long.parseLong(s) << 20;
      }
    }
    return Long.parseLong(s.substring(0, s.length() - 1).trim()) * unit;
  }

  private static long physicalMemory() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Long.MAX_VALUE;
  }
}
