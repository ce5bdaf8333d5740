package org.lorafleet.orchestrator.sweep;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.io.HadoopDir;
import org.lorafleet.orchestrator.train.TrainJob;

/**
 * Runs one trial as one training job, or, with early stopping, as a series of runs that each stop at
 * the next rung and resume from the previous run's final checkpoint (so the learning-rate schedule is
 * the full job's, and resuming is exact). After each rung {@link Asha} decides whether it goes on.
 * Blocks until the trial is finished, failed, or the sweep is halted.
 */
final class TrialRunner {

  private final SparkSession spark;
  private final SweepConfig sweep;
  private final Asha asha;
  private final SweepState state;
  private final BooleanSupplier halted;
  private final BooleanSupplier stopping;
  private final Runnable afterRun;

  /**
   * @param asha null without early stopping
   * @param halted checked before each run; when true the trial is left as it is, to be resumed later
   * @param stopping whether the sweep itself is going down (Ctrl-C, Spark stopped): a run that fails
   *     then is not the trial's fault, so the trial stays unfinished and resumes next time
   * @param afterRun called after each run (and its state update), e.g. to refresh the leaderboard
   */
  TrialRunner(SparkSession spark, SweepConfig sweep, Asha asha, SweepState state, BooleanSupplier halted,
      BooleanSupplier stopping, Runnable afterRun) {
    this.spark = spark;
    this.sweep = sweep;
    this.asha = asha;
    this.state = state;
    this.halted = halted;
    this.stopping = stopping;
    this.afterRun = afterRun;
  }

  /** @param failAt test hook passed to the trial's job ("worker:step[:always]"), normally null */
  void run(TrialSpec trial, PrintStream console, String failAt) {
    TrialRecord r = state.get(trial.id());
    int rung = r.rungs().size();
    if (!halted.getAsBoolean()) {
      console.println((r.rungs().isEmpty() ? "Starting" : "Continuing after rung " + (rung - 1)) + " with "
          + trial.params() + " → " + trial.job().output().dir());
    }
    while (!halted.getAsBoolean()) {
      r = r.with(TrialRecord.Status.RUNNING, r.metric(), r.steps(), r.plannedSteps(), 0, null);
      state.put(r);
      Long until = asha == null ? null : asha.rungStep(rung);
      long t0 = System.nanoTime();
      TrainJob.Result res;
      try {
        res = TrainJob.run(trial.job(), spark, new TrainJob.Options(null, false, failAt, console, until));
      } catch (RuntimeException e) {
        if (stopping.getAsBoolean()) {
          console.println("Interrupted with the sweep; the trial resumes from its checkpoint when the sweep runs again.");
          return; // stays RUNNING, which the next run of the sweep resumes
        }
        String why = e.getMessage() + (e.getCause() != null && e.getCause().getMessage() != null
            ? " (caused by: " + e.getCause().getMessage() + ")" : "");
        console.println("Trial failed: " + why);
        state.put(r.with(TrialRecord.Status.FAILED, r.metric(), r.steps(), r.plannedSteps(), seconds(t0), why));
        afterRun.run();
        return;
      }
      double metric = measure(res);
      if (res.complete()) {
        state.put(r.with(TrialRecord.Status.COMPLETED, metric, res.steps(), res.plannedSteps(), seconds(t0), null));
        afterRun.run();
        return;
      }
      r = r.with(TrialRecord.Status.RUNNING, metric, res.steps(), res.plannedSteps(), seconds(t0), null)
          .withRung(new TrialRecord.Rung(res.steps(), metric));
      boolean goesOn = asha.reached(rung, metric);
      console.printf(java.util.Locale.ROOT, "Rung %d (step %d): %s %.4f → %s.%n", rung, res.steps(),
          sweep.metric().yamlName(), metric, goesOn ? "continues" : "stopped early (not in the best 1/η)");
      state.put(goesOn ? r : r.with(TrialRecord.Status.STOPPED, metric, r.steps(), r.plannedSteps(), 0, null));
      afterRun.run();
      if (!goesOn) {
        return;
      }
      rung++;
    }
  }

  private double measure(TrainJob.Result res) {
    return switch (sweep.metric()) {
      case EVAL_LOSS -> res.finalEvalLoss();
      case EVAL_PERPLEXITY -> Math.exp(res.finalEvalLoss());
      case TRAIN_LOSS -> TrialMetrics.parse(new HadoopDir(res.outputDir(), spark.sparkContext().hadoopConfiguration())
          .readText("metrics.jsonl")).lastTrainLoss();
    };
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
