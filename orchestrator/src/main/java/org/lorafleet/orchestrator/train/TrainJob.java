package org.lorafleet.orchestrator.train;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.orchestrator.checkpoint.Checkpoint;
import org.lorafleet.orchestrator.checkpoint.CheckpointStore;
import org.lorafleet.orchestrator.config.ConfigWriter;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.config.QualityConfig;
import org.lorafleet.orchestrator.data.DataPipeline;
import org.lorafleet.orchestrator.data.PreparedData;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.orchestrator.hub.HubModelId;
import org.lorafleet.orchestrator.io.HadoopDir;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.HubModels;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.auth.JobTokens;
import org.lorafleet.ps.server.PublishedVersion;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.trainer.backend.BackendSelection;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.train.Evaluation;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * One training job, as the driver runs it: setup (config, checkpoints, model, adapter) → data
 * (read, tokenize, pack on Spark) → parameter server → train (one barrier stage of workers) →
 * output (adapter, merged model, metrics, summary) → cleanup. Blocks until the job is done.
 */
public final class TrainJob {

  /**
   * @param resumeFrom a checkpoint folder to resume from (overrides checkpoint.resume), or null
   * @param force resume even when the config's model, LoRA shape or data differ from the checkpoint's
   * @param failAt test hook "worker:step" injecting one worker failure; null normally
   * @param untilStep stop after this many optimizer steps (local steps in local-sgd) although the
   *     learning-rate schedule spans the whole job; null runs to the end. A later run with the same
   *     config resumes from the final checkpoint, so a job can run in segments (sweeps' early stopping)
   */
  public record Options(String resumeFrom, boolean force, String failAt, PrintStream out, Long untilStep) {
    public Options(String resumeFrom, boolean force, String failAt, PrintStream out) {
      this(resumeFrom, force, failAt, out, null);
    }

    public static Options defaults(PrintStream out) {
      return new Options(null, false, null, out);
    }
  }

  /**
   * Where things went and how it went.
   *
   * @param steps the optimizer steps reached (in local-sgd: rounds × local_steps)
   * @param plannedSteps the version the whole job reaches; more than {@code steps} after a segment
   */
  public record Result(String outputDir, String adapterDir, String mergedDir, long steps, long plannedSteps,
      double initialEvalLoss, double finalEvalLoss, long tokens, double tokensPerSecond, double wallSeconds,
      String resumedFrom, List<Long> appliedSteps, List<WorkerReport> workers) {

    /** Whether the job ran to the end of its schedule (not only a segment of it). */
    public boolean complete() {
      return steps >= plannedSteps;
    }
  }

  private TrainJob() {}

  public static Result run(JobConfig asWritten, SparkSession spark, Options opts) {
    PrintStream out = opts.out();
    long t0 = System.nanoTime();
    SparkContext sc = spark.sparkContext();
    Configuration hadoop = sc.hadoopConfiguration();

    // --- setup: output dir, checkpoints, base model, starting adapter
    JobOutputs outputs = new JobOutputs(new HadoopDir(asWritten.output().dir(), hadoop), asWritten);
    outputs.writeResolvedConfig(); // as written: a Hub id stays a Hub id
    HubModels.Resolved model = HubModels.resolve(asWritten, sc.master(), hadoop, out);
    JobConfig cfg = model.config(); // model.path is the folder the driver and executors read
    outputs.model(model);
    CheckpointStore checkpoints = new CheckpointStore(cfg.checkpoint().dir(), cfg.checkpoint().keepLast(), hadoop);
    checkpoints.recover().forEach(out::println); // an interrupted write: its complete checkpoint is put in place
    checkpoints.probeWritable(); // an unwritable checkpoint dir fails here, before any compute
    BackendSelection.Decision backend = BackendSelection.decide(
        BackendSelection.Requested.valueOf(cfg.model().backend().name()));
    if (backend.warning() != null) {
      out.println("WARNING: " + backend.warning());
    }
    if (!backend.cuda()) {
      out.println("CPU backend on the driver: " + org.lorafleet.trainer.backend.NativeBuild.select()
          + "; each executor chooses for its own CPU.");
    }
    java.util.Map<String, String> fingerprint = RunLineage.fingerprint(cfg, hadoop);
    if (model.snapshot() != null) { // the commit, not where this machine caches it
      fingerprint.put("model.path", HubModelId.SCHEME + model.snapshot().repo() + "@" + model.snapshot().commit());
    }
    Checkpoint resume = ResumePolicy.choose(cfg, fingerprint, opts, checkpoints, hadoop, out);
    RunLineage lineage = RunLineage.start(fingerprint, resume, checkpoints, out);
    CausalLm driverModel = BaseModels.replica(cfg.model().path(), cfg.loadOptions());
    out.println(BaseModels.describe(cfg.model().path(), cfg.loadOptions()));
    java.util.Map<String, String> sparkConf = new java.util.HashMap<>();
    for (scala.Tuple2<String, String> kv : sc.getConf().getAll()) {
      sparkConf.put(kv._1(), kv._2());
    }
    MemoryBudget.Check memory = MemoryBudget.of(cfg, sc.master(), sparkConf);
    out.println(memory.describe());
    MemoryBudget.requireFits(memory);
    LoraAdapter adapter = StartingAdapter.of(cfg, driverModel, resume, out);
    int k = JobConversions.stepsPerVersion(cfg.distributed()); // optimizer steps per server version
    long startStep = resume == null ? 0 : resume.state().step(); // checkpoints count optimizer steps
    if (startStep % k != 0) {
      throw new IllegalArgumentException("Checkpoint " + resume.location() + " is at step " + startStep + ", which is "
          + "not a whole number of local-sgd rounds of " + k + " steps; resume it with the local_steps it was made with.");
    }
    long startVersion = startStep / k;
    if (resume != null) {
      outputs.resumedFrom(startStep);
    }

    // --- data: read, format, tokenize in executors, pack, split, shuffle
    QualityConfig quality = cfg.data().quality();
    PreparedData data = DataPipeline.prepare(spark, JobConversions.data(cfg.data()), quality,
        quality.keepRemoved() ? outputs.removedRowsLocation() : null, cfg.model().path(), cfg.seed());
    if (data.quality() != null) {
      outputs.writeCurationReport(data.quality());
      out.println(data.quality().summary());
    }
    out.println(data.stats().summary(cfg.data().maxSeqLen()));
    try {
      int workers = cfg.distributed().workers();
      checkTaskSlots(sc, workers);
      long totalSteps = JobConversions.totalSteps(cfg.train(), cfg.distributed(), data.stats().trainSequences());
      UpdateMode mode = cfg.distributed().mode();
      long endStep = opts.untilStep() == null ? totalSteps : Math.min(totalSteps, wholeRounds(mode, opts.untilStep(),
          cfg.distributed().localSteps()));
      long plannedUpdates = updates(mode, totalSteps, cfg.distributed().localSteps());
      long totalUpdates = updates(mode, endStep, cfg.distributed().localSteps());
      DriverEval eval = new DriverEval(driverModel, adapter.settings(), data.eval(), cfg.train().microBatchSize(),
          cfg.train().evalMaxSequences());
      // before and after training the eval set is spread over the workers; during training, the driver scores it
      SparkEval spread = new SparkEval(JavaSparkContext.fromSparkContext(sc), data.eval(),
          cfg.train().evalMaxSequences(), workers, cfg.model().path(), cfg.loadOptions(), adapter.settings(),
          cfg.train().microBatchSize());
      double initialEval = Double.NaN;
      if (eval.enabled()) {
        Evaluation.Result r = spread.evaluate(adapter.parameters());
        initialEval = r.loss();
        out.printf(Locale.ROOT, "eval  step %5d  loss %.4f  perplexity %.2f  (before training)%n", startStep, r.loss(),
            r.perplexity());
      }
      out.printf(Locale.ROOT, "Training %s: %d worker(s), mode %s, %d step(s) from step %d%s, %d LoRA tensors (r=%d).%n",
          cfg.name(), workers, mode.configName(), totalSteps, startStep,
          endStep < totalSteps ? " (this run stops at step " + endStep + ")" : "", adapter.parameters().size(),
          adapter.settings().r());

      // --- parameter server in this JVM, reachable by executors
      String secret = cfg.parameterServer().secret() != null ? cfg.parameterServer().secret()
          : org.lorafleet.ps.server.ServerJobSpec.randomSecret();
      org.lorafleet.ps.server.ServerJobSpec.Builder job = org.lorafleet.ps.server.ServerJobSpec
          .builder(cfg.name(), secret, adapter.copyOfParameters())
          .mode(mode).expectedWorkers(workers).stepTimeout(cfg.distributed().stepTimeout())
          .staleness(cfg.distributed().staleness()).aggregation(cfg.distributed().aggregation())
          .adamW(AdamWSettings.withWeightDecay(cfg.train().weightDecay()))
          .lrSchedule(JobConversions.schedule(cfg.train(), totalSteps)).maxGradNorm(cfg.train().maxGradNorm());
      if (resume != null) {
        job.resume(resume.optimizer(), startVersion);
      }
      String group = "lorafleet-train-" + cfg.name() + "-" + java.util.UUID.randomUUID();
      // a write that still fails after its retries stops the stage at once (blocked workers are interrupted)
      DriverIo io = new DriverIo(out, cfg.checkpoint().writeRetries(), cfg.checkpoint().retryBackoff(),
          e -> sc.cancelJobGroup(group));
      try (ParameterServerHost ps = ParameterServerHost.start(job.build(), cfg.parameterServer(), sc.getConf());
          ProgressLog progress = new ProgressLog(out, startStep, totalUpdates * k, k, cfg.train().logEvery())) {
        JobCheckpointer checkpointer = new JobCheckpointer(cfg, lineage, checkpoints, driverModel, adapter.settings(),
            progress, outputs, out);
        ps.core().onListenerFailure(io::fail); // a broken listener stops the job, it is never only logged
        ps.core().addStepListener(o -> {
          progress.step(o);
          if (o.version() >= totalUpdates) {
            return; // the final evaluation and checkpoint follow the stage
          }
          long done = o.version() * k; // optimizer steps; a local-sgd round passes k of them at once
          // cadences in steps (0 = off): due when this update crossed a multiple of the cadence
          if (eval.enabled() && JobConversions.crosses(done - k, done, cfg.train().evalEvery())) {
            PublishedVersion v = ps.core().published(); // the version just published (later only if workers raced ahead)
            io.submit("the evaluation of step " + v.version() * k, () -> {
              Evaluation.Result r = eval.evaluate(v.tensors());
              progress.eval(v.version() * k, r.loss(), r.perplexity(), r.tokens());
            });
          }
          if (JobConversions.crosses(done - k, done, cfg.checkpoint().everySteps())) {
            ServerSnapshot snap = ps.core().snapshot(); // taken here, at this step; written in the background
            io.submit("the checkpoint of step " + snap.version() * k, () -> checkpointer.write(snap));
          }
        });
        TrainPlan plan = new TrainPlan(cfg.name(), ps.host(), ps.port(), ps.trustPem(), cfg.model().path(), cfg.loadOptions(),
            cfg.train().gradientCheckpointing(), adapter.settings(), mode,
            workers, cfg.train().microBatchSize(), cfg.train().gradAccum(), totalSteps, endStep, cfg.distributed().localSteps(),
            cfg.seed(), cfg.distributed().stepTimeout(), AdamWSettings.withWeightDecay(cfg.train().weightDecay()),
            JobConversions.schedule(cfg.train(), totalSteps), cfg.train().maxGradNorm(), opts.failAt());

        // --- train: one barrier stage of `workers` tasks
        List<WorkerReport> reports;
        try {
          reports = runWorkers(sc, data.train(), plan, JobTokens.workerToken(cfg.name(), secret), cfg.name(), group);
          io.finish(); // waits for pending evaluations and checkpoint writes; rethrows the first failure
        } catch (RuntimeException e) {
          RuntimeException cause = io.failure().orElse(e); // a driver-side failure cancelled the stage: name it
          io.close();
          FailureOutputs.save(ps.core().snapshot(), k, startVersion, totalUpdates, adapter, driverModel, checkpointer, outputs,
              out, cause);
          throw cause instanceof TrainingFailedException ? cause
              : new TrainingFailedException("Training stopped: " + cause.getMessage(), cause);
        }
        progress.workerTimelines(reports);
        progress.flush();

        // --- output: final checkpoint, adapter, merged model, metrics, summary
        ServerSnapshot last = ps.core().snapshot();
        adapter.setParameters(last.weights());
        checkpointer.write(last);
        double finalEval = Double.NaN;
        if (eval.enabled()) {
          Evaluation.Result r = spread.evaluate(last.weights());
          finalEval = r.loss();
          progress.eval(last.version() * k, r.loss(), r.perplexity(), r.tokens());
        }
        progress.flush();
        String adapterDir = outputs.writeAdapter(adapter, driverModel);
        String mergedDir = cfg.output().merge() ? outputs.writeMerged(adapter, driverModel) : null;
        outputs.copyMetrics(progress.file());
        double wall = (System.nanoTime() - t0) / 1e9;
        Result result = new Result(outputs.location(), adapterDir, mergedDir, last.version() * k, plannedUpdates * k,
            initialEval,
            finalEval,
            lineage.tokensBefore() + progress.tokens(), progress.tokens() / Math.max(progress.elapsedSeconds(), 1e-9), wall,
            resume == null ? null : resume.location(), ps.core().appliedSteps(), reports);
        outputs.writeSummaryAndReport(result, data.stats(), SampleGenerations.of(data.eval(), cfg.model().path(),
            cfg.loadOptions(), adapter.settings(), last.weights()));
        out.printf(Locale.ROOT, "Done in %s: %d step(s), %,d tokens (%,.0f tokens/s), eval loss %.4f → %.4f.%n",
            ProgressLog.duration(wall), result.steps(), result.tokens(), result.tokensPerSecond(), initialEval, finalEval);
        out.println("Adapter written to " + adapterDir);
        if (mergedDir != null) {
          out.println("Merged model written to " + mergedDir);
        }
        out.println("Report: " + outputs.location() + "/report.html; curves: tensorboard --logdir "
            + outputs.location() + "/tensorboard");
        return result;
      } finally {
        io.close();
      }
    } finally {
      data.train().unpersist(false);
    }
  }

  /**
   * Runs the workers as one barrier stage. A shuffle follows the stage so that it is a map stage,
   * which Spark retries as a whole when a task fails (a failed barrier result stage is not retried).
   */
  private static List<WorkerReport> runWorkers(SparkContext sc, JavaRDD<TokenSequence> train, TrainPlan plan,
      String workerToken, String name, String group) {
    sc.setLocalProperty(BarrierWorker.TOKEN_PROPERTY, workerToken); // the job secret itself stays in the driver
    // interruptOnCancel: a failed barrier task (or a cancelled group) interrupts the blocked workers
    sc.setJobGroup(group, "lorafleet train " + name, true);
    try {
      JavaRDD<TokenSequence> byWorker = train
          .mapToPair(s -> new Tuple2<>(plan.workerOf(s.index()), s))
          .partitionBy(new HashPartitioner(plan.workers()))
          .values();
      RDD<WorkerReport> reports = byWorker.rdd().barrier()
          .mapPartitions(new BarrierWorker(plan), false, ClassTag$.MODULE$.apply(WorkerReport.class));
      return reports.toJavaRDD().repartition(1).collect();
    } catch (Exception e) { // Spark throws its checked SparkException undeclared
      throw TrainingFailedException.from(e);
    } finally {
      sc.setLocalProperty(BarrierWorker.TOKEN_PROPERTY, null);
      sc.clearJobGroup();
    }
  }

  /** A segment of a local-sgd job ends on a round boundary (rounded up), so the next segment starts a new round. */
  private static long wholeRounds(UpdateMode mode, long steps, int localSteps) {
    return mode == UpdateMode.LOCAL_SGD ? updates(mode, steps, localSteps) * localSteps : steps;
  }

  /** Server versions a job of {@code steps} optimizer steps publishes: rounds of K local steps in local-sgd. */
  private static long updates(UpdateMode mode, long steps, int localSteps) {
    return mode == UpdateMode.LOCAL_SGD ? (steps + localSteps - 1) / localSteps : steps;
  }

  /** In local mode Spark can only gang-schedule as many barrier tasks as it has threads. */
  private static void checkTaskSlots(SparkContext sc, int workers) {
    if (sc.isLocal() && sc.defaultParallelism() < workers) {
      throw new IllegalArgumentException("distributed.workers is " + workers + " but Spark master " + sc.master()
          + " runs only " + sc.defaultParallelism() + " task(s) at once; a barrier stage needs one slot per worker. "
          + "Use spark.master local[" + workers + "] or fewer workers.");
    }
  }
}
