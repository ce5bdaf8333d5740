package org.lorafleet.orchestrator.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.train.Evaluation;

/**
 * The evaluation before and after training, spread over the workers as Spark tasks: the eval set
 * (whole, or its first {@code train.eval_max_sequences}) in {@code workers} slices, each scored by an
 * executor's replica of the base with the adapter's weights, the token-weighted losses summed on the
 * driver. Evaluations during training stay on the driver ({@link DriverEval}), since the training
 * stage holds every task slot then; both score the same sequences with the same code. Blocks (runs a
 * Spark job).
 */
final class SparkEval {

  private final JavaSparkContext sc;
  private final List<TokenSequence> sequences;
  private final int slices;
  private final String modelLocation;
  private final LoadOptions load;
  private final LoraSettings lora;
  private final int microBatch;

  SparkEval(JavaSparkContext sc, List<TokenSequence> eval, int maxSequences, int slices, String modelLocation,
      LoadOptions load, LoraSettings lora, int microBatch) {
    this.sc = sc;
    this.sequences = maxSequences == 0 || maxSequences >= eval.size() ? eval : eval.subList(0, maxSequences);
    this.slices = Math.max(1, Math.min(slices, sequences.size()));
    this.modelLocation = modelLocation;
    this.load = load;
    this.lora = lora;
    this.microBatch = microBatch;
  }

  /** Eval loss of the adapter with these weights over the eval set, token-weighted across the slices. */
  Evaluation.Result evaluate(Map<String, FloatTensor> weights) {
    Task task = new Task(modelLocation, load, lora, microBatch, Task.ship(weights));
    JavaRDD<TokenSequence> rdd = sc.parallelize(new ArrayList<>(sequences), slices);
    sc.setJobDescription("lorafleet eval (" + sequences.size() + " sequences)");
    List<double[]> parts = rdd.mapPartitions(task).collect(); // [lossSum, tokens] per non-empty slice
    sc.setJobDescription(null);
    double sum = 0;
    long tokens = 0;
    for (double[] p : parts) {
      sum += p[0];
      tokens += (long) p[1];
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("The evaluation data has no token to score (all labels are -100).");
    }
    double loss = sum / tokens;
    return new Evaluation.Result(loss, Math.exp(loss), tokens);
  }

  /** One slice's score on an executor. The weights travel as plain arrays (tensors are not serializable). */
  private record Task(String modelLocation, LoadOptions load, LoraSettings lora, int microBatch,
      Map<String, Shipped> weights) implements FlatMapFunction<Iterator<TokenSequence>, double[]>, Serializable {

    record Shipped(long[] shape, float[] data) implements Serializable {}

    static Map<String, Shipped> ship(Map<String, FloatTensor> w) {
      Map<String, Shipped> out = new LinkedHashMap<>();
      w.forEach((k, t) -> out.put(k, new Shipped(t.shape(), t.data())));
      return out;
    }

    @Override
    public Iterator<double[]> call(Iterator<TokenSequence> slice) {
      List<TokenSequence> seqs = new ArrayList<>();
      slice.forEachRemaining(seqs::add);
      if (seqs.isEmpty()) {
        return java.util.Collections.emptyIterator();
      }
      CausalLm model = BaseModels.replica(modelLocation, load); // the executor's shared base, its own adapter slots
      Map<String, FloatTensor> w = new LinkedHashMap<>();
      weights.forEach((k, s) -> w.put(k, new FloatTensor(s.shape(), s.data())));
      LoraAdapter.fromTensors(model, lora, w, "the driver's evaluation").attachTo(model);
      Evaluation.Result r = Evaluation.evaluate(model, DriverEval.batches(seqs, microBatch, 0));
      return List.of(new double[] {r.loss() * r.tokens(), r.tokens()}).iterator();
    }
  }
}
