package org.lorafleet.orchestrator.train;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.lorafleet.trainer.backend.NativeBuild;
import org.lorafleet.trainer.backend.NativeThreads;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.ps.client.ClientOptions;
import org.lorafleet.ps.client.GrpcClient;

/**
 * The body of one barrier task: connect to the parameter server (gRPC for control calls, its tensor
 * channel for pushes, pulls and waits when offered; TLS when the plan carries the server's
 * certificate), limit ND4J to the task's share of the executor's cores ({@link TaskThreads}), wait
 * until every worker is up, then run the {@link WorkerLoop}. The worker holds
 * only the job's worker token (from a Spark local property, never from the serialized plan or
 * logs), which cannot snapshot or restore the server. Blocks for the whole training.
 */
final class BarrierWorker extends AbstractFunction1<Iterator<TokenSequence>, Iterator<WorkerReport>>
    implements Serializable {

  /** Spark local property carrying the worker token to tasks; "token" in the key makes Spark redact it. */
  static final String TOKEN_PROPERTY = "lorafleet.ps.worker.token";

  private static final long serialVersionUID = 1L;
  private final TrainPlan plan;

  BarrierWorker(TrainPlan plan) {
    this.plan = plan;
  }

  @Override
  public Iterator<WorkerReport> apply(Iterator<TokenSequence> partition) {
    NativeBuild.select(); // before this executor's first ND4J call (a no-op when the JVM already chose)
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int worker = ctx.partitionId();
    int threads = NativeThreads.limit(TaskThreads.of(ctx)); // per process: every task here asks the same
    WorkerData data = new WorkerData(CollectionConverters.asJava(partition), plan.microBatchSize(), plan.gradAccum());
    String token = ctx.getLocalProperty(TOKEN_PROPERTY);
    if (token == null) {
      throw new IllegalStateException("The worker token did not reach worker " + worker
          + " (Spark local property " + TOKEN_PROPERTY + " is missing).");
    }
    ClientOptions options = ClientOptions.of(plan.psHost(), plan.psPort(), plan.jobId(), token);
    if (plan.psTrustPem() != null) {
      options = options.withTrust(plan.psTrustPem());
    }
    try (GrpcClient ps = new GrpcClient(options)) {
      ctx.barrier(); // every worker is scheduled and connected before anyone registers
      WorkerReport r = new WorkerLoop(plan, worker, data, ps, ctx.stageAttemptNumber(), threads).run();
      return CollectionConverters.asScala(List.of(r).iterator());
    } finally {
      NativeThreads.restore(); // in local mode this JVM is also the driver, which evaluates next
    }
  }
}
