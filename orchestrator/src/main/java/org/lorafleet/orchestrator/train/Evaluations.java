package org.lorafleet.orchestrator.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.data.DataPipeline;
import org.lorafleet.orchestrator.data.PreparedData;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.train.Evaluation;

/** Stand-alone evaluation (the {@code eval} command): the job's eval data through base and adapter. */
public final class Evaluations {

  private Evaluations() {}

  /** One evaluated model. */
  public record Line(String what, double loss, double perplexity, long tokens) {}

  /** Evaluates the base model and, when given, base + adapter. Blocks (runs Spark jobs). */
  public static List<Line> baseAndAdapter(JobConfig cfg, SparkSession spark, String adapterDir) {
    return baseAndAdapters(cfg, spark, adapterDir == null ? List.of() : List.of(adapterDir));
  }

  /** Evaluates the base model and base + each adapter, on the same eval batches. Blocks (runs Spark jobs). */
  public static List<Line> baseAndAdapters(JobConfig cfg, SparkSession spark, List<String> adapterDirs) {
    if (cfg.data().eval() == null && cfg.data().evalFraction() <= 0) {
      throw new IllegalArgumentException("The config has no eval data: set data.eval or data.eval_fraction.");
    }
    PreparedData data = DataPipeline.prepare(spark, JobConversions.data(cfg.data()), cfg.model().path(), cfg.seed());
    try {
      List<Line> out = new ArrayList<>();
      CausalLm base = BaseModels.replica(cfg.model().path(), cfg.loadOptions());
      var batches = DriverEval.batches(data.eval(), cfg.train().microBatchSize(), cfg.train().evalMaxSequences());
      Evaluation.Result b = Evaluation.evaluate(base, batches);
      out.add(new Line("base " + cfg.model().path(), b.loss(), b.perplexity(), b.tokens()));
      for (String adapterDir : adapterDirs) {
        CausalLm adapted = BaseModels.replica(cfg.model().path(), cfg.loadOptions());
        LoraAdapter a = PeftAdapterFolder.load(LocalModelDir.of(adapterDir), adapted);
        a.attachTo(adapted);
        Evaluation.Result r = Evaluation.evaluate(adapted, batches);
        out.add(new Line("base + adapter " + adapterDir, r.loss(), r.perplexity(), r.tokens()));
      }
      return out;
    } finally {
      data.train().unpersist(false);
    }
  }
}
