package org.lorafleet.orchestrator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.io.HadoopDir;

/**
 * A sweep, as the driver runs it: setup (folder, saved state, early-stopping records) → trials
 * ({@code parallel} at a time, each a training job with its own parameter server and folder, in
 * this one Spark application) → leaderboard and report (refreshed after every trial run, written
 * once more at the end). Finished trials of an earlier, interrupted run are not rerun. Blocks until
 * every trial is finished.
 */
public final class SweepRunner {

  /**
   * @param retryFailed run failed trials of an earlier run again
   * @param failAt test hook: trial id → the job's failAt ("worker:step[:always]"); empty normally
   * @param haltAfterRuns test hook: stop starting new runs after this many (as if the driver died), 0 = never
   */
  public record Options(PrintStream out, boolean retryFailed, Map<String, String> failAt, int haltAfterRuns) {
    public static Options defaults(PrintStream out) {
      return new Options(out, false, Map.of(), 0);
    }
  }

  /**
   * @param ranked trials in leaderboard order
   * @param halted whether the sweep stopped before every trial finished (the haltAfterRuns hook)
   */
  public record Result(String outputDir, List<TrialSummary> ranked, boolean halted, String report) {}

  /** A trial's outcome as the caller sees it. */
  public record TrialSummary(String id, Map<String, String> params, String status, double metric, long steps,
      String error, String outputDir) {}

  private SweepRunner() {}

  public static Result run(SweepPlan plan, SparkSession spark, Options opts) {
    PrintStream out = opts.out();
    SweepConfig sweep = plan.sweep();
    SparkContext sc = spark.sparkContext();
    checkTaskSlots(sc, plan);

    // --- setup: the sweep folder, its saved state, the early-stopping records so far
    HadoopDir dir = new HadoopDir(sweep.outputDir(), sc.hadoopConfiguration());
    SweepState state = SweepState.open(dir, plan, opts.retryFailed(), out); // refuses another sweep's folder
    dir.writeText("sweep.yaml", "# The sweep file as run (overrides applied); trials' own configs are in trials/*/config.yaml.\n"
        + yaml(plan));
    Asha asha = plan.file().earlyStopping() == null ? null : new Asha(plan.file().earlyStopping(), sweep.goal());
    List<TrialSpec> todo = new ArrayList<>();
    for (TrialSpec t : plan.trials()) {
      TrialRecord r = state.get(t.id());
      if (asha != null) {
        for (int k = 0; k < r.rungs().size(); k++) {
          asha.restore(k, r.rungs().get(k).metric());
        }
      }
      if (!r.status().finished()) {
        todo.add(t);
      }
    }
    int finishedBefore = plan.trials().size() - todo.size();
    out.printf(Locale.ROOT, "Sweep %s: %d trial(s) (%s), %d to run%s, %d at a time, ranked by %s (%s)%s.%n",
        sweep.name(), plan.trials().size(), sweep.method().yamlName(), todo.size(),
        finishedBefore > 0 ? " (" + finishedBefore + " finished in an earlier run are kept)" : "", sweep.parallel(),
        sweep.metric().yamlName(), sweep.goal().yamlName(),
        asha == null ? "" : ", early stopping at steps " + rungList(asha));

    // --- trials, `parallel` at a time
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean halted = new AtomicBoolean();
    Runnable afterRun = () -> {
      if (opts.haltAfterRuns() > 0 && runs.incrementAndGet() >= opts.haltAfterRuns()) {
        halted.set(true);
      }
      try {
        publish(dir, plan, state, sc);
      } catch (RuntimeException e) { // the next run, or the end of the sweep, writes them again
        out.println("WARNING: could not refresh the leaderboard and report: " + e.getMessage());
      }
    };
    AtomicBoolean shuttingDown = new AtomicBoolean();
    Thread hook = new Thread(() -> shuttingDown.set(true), "lorafleet-sweep-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    TrialRunner runner = new TrialRunner(spark, sweep, asha, state, halted::get,
        () -> shuttingDown.get() || sc.isStopped() || Thread.currentThread().isInterrupted(), afterRun);
    ExecutorService pool = Executors.newFixedThreadPool(sweep.parallel(), r -> {
      Thread t = new Thread(r, "lorafleet-sweep-trial");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (TrialSpec t : todo) {
        PrintStream console = PrefixedOutput.of(out, "[" + t.id() + "] ");
        running.add(pool.submit(() -> runner.run(t, console, opts.failAt().get(t.id()))));
      }
      for (Future<?> f : running) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the JVM is exiting: the hook has run
      }
    }

    // --- results
    List<TrialRecord> ranked = publish(dir, plan, state, sc);
    boolean unfinished = ranked.stream().anyMatch(r -> !r.status().finished());
    printLeaderboard(out, sweep, ranked);
    String report = dir.location("report.html");
    out.println((unfinished ? "Sweep halted; run it again to continue. " : "Sweep done. ") + "Leaderboard: "
        + dir.location("leaderboard.csv") + "; report: " + report);
    List<TrialSummary> summaries = ranked.stream().map(r -> new TrialSummary(r.id(), r.params(),
        r.status().yamlName(), r.metric(), r.steps(), r.error(), r.outputDir())).toList();
    return new Result(dir.location(null), summaries, unfinished, report);
  }

  /** Writes leaderboard.csv/.json and report.html from the current state. */
  private static synchronized List<TrialRecord> publish(HadoopDir dir, SweepPlan plan, SweepState state,
      SparkContext sc) {
    List<TrialRecord> ranked = Leaderboard.rank(state.all(), plan.sweep().goal());
    Leaderboard.write(dir, plan.sweep(), ranked);
    Map<String, TrialMetrics> curves = new HashMap<>();
    for (TrialRecord r : ranked) {
      if (r.status() != TrialRecord.Status.PENDING) {
        try {
          String text = new HadoopDir(r.outputDir(), sc.hadoopConfiguration()).readText("metrics.jsonl");
          curves.put(r.id(), TrialMetrics.parse(text));
        } catch (RuntimeException e) {
          // the trial is replacing its metrics.jsonl right now; its curve appears at the next refresh
        }
      }
    }
    dir.writeText("report.html", SweepReport.html(plan.sweep(), plan.file().parameters(), ranked, curves));
    return ranked;
  }

  private static void printLeaderboard(PrintStream out, SweepConfig sweep, List<TrialRecord> ranked) {
    out.printf(Locale.ROOT, "%-4s %-10s %-10s %12s %7s  %s%n", "rank", "trial", "status", sweep.metric().yamlName(),
        "steps", "params");
    for (int i = 0; i < ranked.size(); i++) {
      TrialRecord r = ranked.get(i);
      out.printf(Locale.ROOT, "%-4d %-10s %-10s %12s %7d  %s%s%n", i + 1, r.id(), r.status().yamlName(),
          Double.isFinite(r.metric()) ? String.format(Locale.ROOT, "%.4f", r.metric()) : "-", r.steps(), r.params(),
          r.error() == null ? "" : "  error: " + r.error());
    }
  }

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("The sweep was interrupted while trials ran; run it again to continue.", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("A trial's runner failed outside its job: " + e.getCause(), e.getCause());
    }
  }

  /** Parallel barrier stages each need their workers' slots at once; local Spark has a fixed number. */
  private static void checkTaskSlots(SparkContext sc, SweepPlan plan) {
    int need = plan.trials().stream().mapToInt(t -> t.job().distributed().workers()).max().orElse(1)
        * Math.min(plan.sweep().parallel(), plan.trials().size());
    if (sc.isLocal() && sc.defaultParallelism() < need) {
      throw new IllegalArgumentException("sweep.parallel × distributed.workers needs " + need + " task slots, but Spark "
          + "master " + sc.master() + " runs " + sc.defaultParallelism() + " task(s) at once. Lower sweep.parallel, "
          + "or use local[" + need + "].");
    }
  }

  private static String rungList(Asha asha) {
    List<String> s = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      s.add(Long.toString(asha.rungStep(k)));
    }
    return String.join(", ", s) + ", …";
  }

  private static String yaml(SweepPlan plan) {
    try {
      // credentials (e.g. --set parameter_server.secret=…, a spark.conf password) never reach the file
      return new ObjectMapper(new YAMLFactory()).writeValueAsString(
          org.lorafleet.orchestrator.config.ConfigWriter.redacted(plan.file().document().root()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the sweep file as YAML.", e);
    }
  }
}
