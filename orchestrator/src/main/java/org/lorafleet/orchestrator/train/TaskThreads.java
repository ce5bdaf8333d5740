package org.lorafleet.orchestrator.train;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * How many threads one worker task gives ND4J: its share of the executor's cores, never less than
 * {@code spark.task.cpus}. ND4J's and OpenBLAS's thread pools are per process, so without this each of
 * N tasks in one executor would start a pool as wide as the machine and N × cores threads would fight
 * for the cores. The executor's cores are {@code spark.executor.cores}, the N of {@code local[N]} or
 * {@code local-cluster[w, N, m]}, else what the JVM sees; the tasks sharing it are the barrier tasks
 * whose executor address is this one's.
 */
final class TaskThreads {

  private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?]");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");

  private TaskThreads() {}

  /** Threads for one task: {@code max(taskCpus, executorCores / tasksOnExecutor)}, at least 1. */
  static int forTask(int taskCpus, int executorCores, int tasksOnExecutor) {
    return Math.max(1, Math.max(taskCpus, executorCores / Math.max(1, tasksOnExecutor)));
  }

  /** The cores of the executor this JVM runs, from its Spark conf. */
  static int executorCores(SparkConf conf, int available) {
    if (conf.contains("spark.executor.cores")) {
      return Integer.parseInt(conf.get("spark.executor.cores").trim());
    }
    String master = conf.get("spark.master", "");
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      return local.group(1).equals("*") ? available : Integer.parseInt(local.group(1));
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(master);
    if (cluster.matches()) {
      return Integer.parseInt(cluster.group(1));
    }
    return master.equals("local") ? 1 : available;
  }

  /** This barrier task's thread count (call inside the task). */
  static int of(BarrierTaskContext ctx) {
    BarrierTaskInfo[] infos = ctx.getTaskInfos();
    String mine = infos[ctx.partitionId()].address();
    int here = (int) Arrays.stream(infos).filter(i -> i.address().equals(mine)).count();
    SparkConf conf = SparkEnv.get().conf();
    return forTask(ctx.cpus(), executorCores(conf, Runtime.getRuntime().availableProcessors()), here);
  }
}
