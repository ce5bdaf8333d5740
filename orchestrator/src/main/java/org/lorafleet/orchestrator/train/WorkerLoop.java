package org.lorafleet.orchestrator.train;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.client.ParameterServerClient;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.train.Batch;
import org.lorafleet.trainer.train.LoraTrainer;
import org.lorafleet.trainer.train.MicroBatchGradients;

/**
 * The loop one worker runs inside its barrier task, per update rule. Every call to the parameter
 * server blocks; the loop ends at the plan's end step (the job's step count unless it runs a segment).
 *
 * <ul>
 *   <li>sync: pull version s → gradient sums of the step's micro-batches → push (s, sums, loss, tokens)
 *       → wait for version s+1;
 *   <li>local-sgd: pull round r → K local AdamW steps → push the weight delta → wait for round r+1;
 *   <li>async: pull → gradients → push tagged with the pulled version; a stale refusal means pull again.
 *       Workers stop once they pull a version at or past the step budget, so updates already in flight
 *       then may still land: an async job applies between max_steps and max_steps + workers − 1 updates.
 *       After a resume each worker continues from its share (version / workers) of the data.
 * </ul>
 */
final class WorkerLoop {

  private final TrainPlan plan;
  private final String workerId;
  private final WorkerData data;
  private final ParameterServerClient ps;
  private final int attempt;
  private final int threads;
  private long tokens;
  private long computed;
  private long refusedStale;
  private double computeSeconds;
  private double waitSeconds;
  private WorkerTimeline timeline;

  WorkerLoop(TrainPlan plan, int worker, WorkerData data, ParameterServerClient ps, int attempt, int threads) {
    this.plan = plan;
    this.workerId = "worker-" + worker;
    this.data = data;
    this.ps = ps;
    this.attempt = attempt;
    this.threads = threads;
  }

  WorkerReport run() {
    Registration reg = ps.register(workerId);
    CausalLm model = BaseModels.replica(plan.modelLocation(), plan.load());
    VersionedTensors start = ps.pull();
    LoraAdapter adapter = LoraAdapter.fromTensors(model, plan.lora(), start.tensors(), "the parameter server");
    LoraTrainer trainer = new LoraTrainer(model, adapter, new AdamW(plan.adamW()), plan.seed(), plan.gradientCheckpointing());
    timeline = new WorkerTimeline(plan.endStep());
    switch (plan.mode()) {
      case SYNC -> sync(trainer, reg.version());
      case LOCAL_SGD -> localSgd(trainer, reg.version());
      case ASYNC -> async(trainer, reg.version());
    }
    int worker = Integer.parseInt(workerId.substring("worker-".length()));
    return new WorkerReport(worker, attempt, WorkerReport.localHost(), ProcessHandle.current().pid(), threads, computed,
        tokens, computeSeconds, waitSeconds, refusedStale, WorkerReport.peakRss(), timeline.samples());
  }

  private void sync(LoraTrainer trainer, long firstStep) {
    for (long step = firstStep; step < plan.endStep(); step++) {
      pullInto(trainer.adapter(), step); // waits for every worker's push of the step before
      maybeFail(step);
      long t0 = System.nanoTime();
      Sums s = gradientSums(trainer, data.step(step), step);
      computeSeconds += (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      try {
        ps.pushGradients(workerId, step, s.grads, s.lossSum, s.tokens);
      } catch (PsException e) {
        if (e.reason() != Refusal.ALREADY_APPLIED) {
          throw e;
        } // a retried push whose step was already applied with this worker's update: nothing to do
      }
      if (step + 1 == plan.endStep()) {
        ps.awaitVersion(workerId, step + 1, waitLimit()); // the last step applied, or its failure reported
      }
      waitSeconds += (System.nanoTime() - t1) / 1e9;
      timeline.unitDone(step + 1, s.tokens, step + 1 == plan.endStep());
    }
  }

  private void localSgd(LoraTrainer trainer, long firstRound) {
    int k = plan.localSteps();
    long rounds = (plan.endStep() + k - 1) / k;
    for (long round = firstRound; round < rounds; round++) {
      pullInto(trainer.adapter(), round);
      Map<String, FloatTensor> before = trainer.adapter().copyOfParameters();
      long t0 = System.nanoTime();
      double lossSum = 0;
      long roundTokens = 0;
      for (long local = round * k; local < Math.min((round + 1) * k, plan.endStep()); local++) {
        maybeFail(local);
        trainer.setStep(local);
        var r = trainer.step(data.step(local), plan.schedule().lr(local), plan.maxGradNorm());
        lossSum += r.loss() * r.tokens();
        roundTokens += r.tokens();
        computed++;
      }
      tokens += roundTokens;
      computeSeconds += (System.nanoTime() - t0) / 1e9;
      Map<String, FloatTensor> delta = new LinkedHashMap<>();
      trainer.adapter().parameters().forEach((name, after) -> {
        float[] d = after.data().clone();
        float[] b = before.get(name).data();
        for (int i = 0; i < d.length; i++) {
          d[i] -= b[i];
        }
        delta.put(name, new FloatTensor(after.shape(), d));
      });
      long t1 = System.nanoTime();
      ps.pushDeltas(workerId, round, delta, lossSum, roundTokens);
      if (round + 1 == rounds) {
        ps.awaitVersion(workerId, round + 1, waitLimit());
      }
      waitSeconds += (System.nanoTime() - t1) / 1e9;
      timeline.unitDone(Math.min((round + 1) * k, plan.endStep()), roundTokens, round + 1 == rounds);
    }
  }

  private void async(LoraTrainer trainer, long startVersion) {
    long position = startVersion / plan.workers(); // a resumed job goes on with data this worker has not seen
    while (true) {
      long t1 = System.nanoTime();
      VersionedTensors v = ps.pull();
      waitSeconds += (System.nanoTime() - t1) / 1e9;
      if (v.version() >= plan.endStep()) {
        timeline.unitDone(v.version(), 0, true);
        return;
      }
      trainer.adapter().setParameters(v.tensors());
      maybeFail(v.version());
      long t0 = System.nanoTime();
      Sums s = gradientSums(trainer, data.step(position), v.version());
      computeSeconds += (System.nanoTime() - t0) / 1e9;
      try {
        ps.pushGradients(workerId, v.version(), s.grads, s.lossSum, s.tokens);
        position++;
        timeline.unitDone(v.version() + 1, s.tokens, false);
      } catch (PsException e) {
        if (e.reason() != Refusal.STALE && e.reason() != Refusal.OLD_STEP) {
          throw e;
        }
        refusedStale++; // computed on a version too old: pull again and recompute
      }
    }
  }

  private record Sums(Map<String, FloatTensor> grads, double lossSum, long tokens) {}

  private Sums gradientSums(LoraTrainer trainer, List<Batch> micro, long step) {
    Map<String, FloatTensor> sums = new LinkedHashMap<>();
    double lossSum = 0;
    long n = 0;
    for (int j = 0; j < micro.size(); j++) {
      MicroBatchGradients g = trainer.gradients(micro.get(j), step, j);
      MeanGradientStep.accumulate(sums, g.gradSums());
      lossSum += g.lossSum();
      n += g.tokens();
    }
    tokens += n;
    computed++;
    return new Sums(sums, lossSum, n);
  }

  /** Waits for version {@code minVersion} (every worker's update of the step or round before), then loads it. */
  private void pullInto(LoraAdapter adapter, long minVersion) {
    long t = System.nanoTime();
    adapter.setParameters(ps.pullAtLeast(workerId, minVersion, waitLimit()).tensors());
    waitSeconds += (System.nanoTime() - t) / 1e9;
  }

  /** Longer than the server's step timeout, so that the server reports a missing worker first. */
  private Duration waitLimit() {
    return plan.stepTimeout().multipliedBy(2).plusSeconds(10);
  }

  /** Test hook "worker:step" (first stage attempt only) or "worker:step:always" (every attempt: the job dies). */
  private void maybeFail(long step) {
    if (plan.failAt() == null) {
      return;
    }
    String[] p = plan.failAt().split(":");
    boolean always = p.length > 2 && p[2].equals("always");
    if ((always || attempt == 0) && workerId.equals("worker-" + p[0]) && step == Long.parseLong(p[1])) {
      throw new InjectedFailure("Injected failure of " + workerId + " at step " + step + " (test hook failAt).");
    }
  }

  /** The failure the {@code failAt} test hook throws. */
  static final class InjectedFailure extends RuntimeException {
    InjectedFailure(String message) {
      super(message);
    }
  }
}
