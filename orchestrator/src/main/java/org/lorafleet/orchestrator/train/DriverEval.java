package org.lorafleet.orchestrator.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.train.Batch;
import org.lorafleet.trainer.train.Evaluation;

/**
 * Evaluation of adapter versions during training, on the driver's replica of the base model (shared
 * with local executors in local mode; before and after training {@link SparkEval} spreads the same
 * work over the executors): the whole eval set, or its first {@code train.eval_max_sequences}
 * sequences, token-weighted, so the score depends on neither the batch size nor the worker count
 * (only the order of the float sums does, by ~1e-7). Not thread-safe: the job calls it from its
 * single I/O thread.
 */
final class DriverEval {

  private final CausalLm model;
  private final LoraSettings lora;
  private final List<Batch> batches;
  private LoraAdapter adapter;

  DriverEval(CausalLm model, LoraSettings lora, List<TokenSequence> eval, int microBatch, int maxSequences) {
    this.model = model;
    this.lora = lora;
    this.batches = batches(eval, microBatch, maxSequences);
  }

  boolean enabled() {
    return !batches.isEmpty();
  }

  /** Eval loss of the adapter with the given weights. Blocks. */
  Evaluation.Result evaluate(Map<String, FloatTensor> weights) {
    if (adapter == null) {
      adapter = LoraAdapter.fromTensors(model, lora, weights, "the parameter server");
      adapter.attachTo(model);
    } else {
      adapter.setParameters(weights);
    }
    return Evaluation.evaluate(model, batches);
  }

  /** The first {@code maxSequences} eval sequences (0 = all) in batches of {@code microBatch} (memory only). */
  static List<Batch> batches(List<TokenSequence> eval, int microBatch, int maxSequences) {
    List<Batch> out = new ArrayList<>();
    int count = maxSequences == 0 ? eval.size() : Math.min(maxSequences, eval.size());
    for (int start = 0; start < count; start += microBatch) {
      int n = Math.min(microBatch, count - start);
      int seq = eval.get(start).inputIds().length;
      long[] ids = new long[n * seq];
      long[] labels = new long[n * seq];
      for (int i = 0; i < n; i++) {
        TokenSequence s = eval.get(start + i);
        System.arraycopy(s.inputIds(), 0, ids, i * seq, seq);
        System.arraycopy(s.labels(), 0, labels, i * seq, seq);
      }
      out.add(new Batch(ids, labels, n, seq));
    }
    return out;
  }
}
