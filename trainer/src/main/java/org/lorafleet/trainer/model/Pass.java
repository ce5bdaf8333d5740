package org.lorafleet.trainer.model;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.trainer.nn.Rope;

/**
 * Per-call facts a forward/backward pass shares across blocks: the batch shape, the attention
 * window (0: full causal) and RoPE tables of each layer type (no RoPE for GPT-2), and the dropout
 * randomness (null in evaluation).
 */
public record Pass(int batch, int seq, Map<LayerType, Integer> windows, Map<LayerType, Rope> ropes,
    SplittableRandom rng) {

  public int rows() {
    return batch * seq;
  }

  /** The attention window of a layer type: 0 for full causal attention. */
  public int window(LayerType type) {
    return windows.get(type);
  }

  /** The same pass with other dropout randomness (one stream per block, so a block can be recomputed). */
  public Pass withRng(SplittableRandom blockRng) {
    return new Pass(batch, seq, windows, ropes, blockRng);
  }

  public Rope rope(LayerType type) {
    return ropes.get(type);
  }

  static Pass of(HfModelConfig cfg, int batch, int seq, SplittableRandom rng) {
    Map<LayerType, Integer> windows = new EnumMap<>(LayerType.class);
    Map<LayerType, Rope> ropes = new EnumMap<>(LayerType.class);
    DecoderSpec d = cfg.decoder();
    if (d == null) {
      windows.put(LayerType.FULL, 0);
      return new Pass(batch, seq, windows, ropes, rng);
    }
    for (LayerType t : d.layerTypes()) {
      if (windows.containsKey(t)) {
        continue;
      }
      int window = t == LayerType.SLIDING && d.slidingWindow() < seq ? d.slidingWindow() : 0;
      windows.put(t, window);
      RopeParameters.Frequencies f = d.rope().get(t).frequencies(seq);
      ropes.put(t, new Rope(f.invFreq(), f.attentionFactor(), cfg.headDim(), seq));
    }
    return new Pass(batch, seq, windows, ropes, rng);
  }
}
