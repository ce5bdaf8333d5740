package org.lorafleet.trainer.model;

import java.util.SplittableRandom;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-call facts a forward/backward pass shares across blocks: the batch shape, the causal mask (for
 * the heads/kvHeads query heads stacked per key/value head), the RoPE tables (Llama only) and the
 * dropout randomness (null in evaluation).
 */
public record Pass(int batch, int seq, INDArray mask, Rope rope, SplittableRandom rng) {

  public int rows() {
    return batch * seq;
  }

  static Pass of(ModelConfig cfg, int batch, int seq, SplittableRandom rng) {
    Rope rope = cfg.architecture() == Architecture.LLAMA ? new Rope(cfg.ropeTheta(), cfg.headDim(), seq) : null;
    int group = cfg.heads() / cfg.kvHeads(); // 1 for GPT-2
    return new Pass(batch, seq, CausalAttention.causalMask(seq, group), rope, rng);
  }
}
