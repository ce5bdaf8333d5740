package org.lorafleet.trainer.model;

import java.util.SplittableRandom;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-call facts a forward/backward pass shares across blocks: the batch shape, the causal mask,
 * the RoPE tables (Llama only) and the dropout randomness (null in evaluation).
 */
public record Pass(int batch, int seq, INDArray mask, Rope ropeQ, Rope ropeKv, SplittableRandom rng) {

  public int rows() {
    return batch * seq;
  }

  static Pass of(ModelConfig cfg, int batch, int seq, SplittableRandom rng) {
    Rope q = null;
    Rope kv = null;
    if (cfg.architecture() == Architecture.LLAMA) {
      q = new Rope(cfg.ropeTheta(), cfg.headDim(), seq, (long) batch * cfg.heads());
      kv = new Rope(cfg.ropeTheta(), cfg.headDim(), seq, (long) batch * cfg.kvHeads());
    }
    return new Pass(batch, seq, CausalAttention.causalMask(seq), q, kv, rng);
  }
}
