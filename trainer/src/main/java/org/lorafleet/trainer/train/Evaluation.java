package org.lorafleet.trainer.train;

import java.util.List;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.nn.CrossEntropy;

/** Evaluation loss and perplexity of a model (base or base + attached adapter) over batches. */
public final class Evaluation {

  private Evaluation() {}

  /** Token-weighted mean loss over all batches (so batch sizes do not bias it) and exp(loss). */
  public record Result(double loss, double perplexity, long tokens) {}

  /** Blocks until every batch has been evaluated; no gradients, no dropout. */
  public static Result evaluate(CausalLm model, List<Batch> batches) {
    double sum = 0;
    long tokens = 0;
    for (Batch b : batches) {
      CrossEntropy.Result r = model.loss(b.inputIds(), b.labels(), b.batch(), b.seq());
      sum += r.lossSum();
      tokens += r.tokens();
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("The evaluation data has no token to score (all labels are -100).");
    }
    double loss = sum / tokens;
    return new Result(loss, Math.exp(loss), tokens);
  }
}
