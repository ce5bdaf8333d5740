package org.lorafleet.trainer.model;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-call facts a forward/backward pass shares across blocks: the batch shape, the attention mask
 * and RoPE tables of each layer type (for the heads/kvHeads query heads stacked per key/value head;
 * no RoPE for GPT-2), and the dropout randomness (null in evaluation).
 */
public record Pass(int batch, int seq, Map<LayerType, INDArray> masks, Map<LayerType, Rope> ropes,
    SplittableRandom rng) {

  public int rows() {
    return batch * seq;
  }

  /** The additive mask of a layer type. */
  public INDArray mask(LayerType type) {
    return masks.get(type);
  }

  /** GPT-2's (full causal) mask. */
  public INDArray mask() {
    return masks.get(LayerType.FULL);
  }

  public Rope rope(LayerType type) {
    return ropes.get(type);
  }

  static Pass of(ModelConfig cfg, int batch, int seq, SplittableRandom rng) {
    int group = cfg.heads() / cfg.kvHeads(); // 1 for GPT-2
    Map<LayerType, INDArray> masks = new EnumMap<>(LayerType.class);
    Map<LayerType, Rope> ropes = new EnumMap<>(LayerType.class);
    DecoderSpec d = cfg.decoder();
    if (d == null) {
      masks.put(LayerType.FULL, CausalAttention.causalMask(seq, group));
      return new Pass(batch, seq, masks, ropes, rng);
    }
    for (LayerType t : d.layerTypes()) {
      if (masks.containsKey(t)) {
        continue;
      }
      int window = t == LayerType.SLIDING && d.slidingWindow() < seq ? d.slidingWindow() : 0;
      masks.put(t, CausalAttention.causalMask(seq, group, window, DataType.FLOAT));
      RopeParameters.Frequencies f = d.rope().get(t).frequencies(seq);
      ropes.put(t, new Rope(f.invFreq(), f.attentionFactor(), cfg.headDim(), seq));
    }
    return new Pass(batch, seq, masks, ropes, rng);
  }
}
