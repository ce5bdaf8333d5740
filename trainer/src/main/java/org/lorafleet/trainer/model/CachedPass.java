package org.lorafleet.trainer.model;

import java.util.EnumMap;
import java.util.Map;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a generation step over {@code n} new positions (start..start+n−1, one sequence) shares across
 * layers: the KV cache, the RoPE tables of those positions per layer type, and per layer type the
 * [1, G·n·L] additive mask of the new queries (G per key/value head) over all L = start + n keys.
 */
record CachedPass(KvCache cache, int start, int n, Map<LayerType, Rope> ropes, Map<LayerType, INDArray> masks) {

  int total() {
    return start + n;
  }

  static CachedPass of(HfModelConfig cfg, KvCache cache, int n) {
    int start = cache.length();
    int group = cfg.heads() / cfg.kvHeads();
    Map<LayerType, Rope> ropes = new EnumMap<>(LayerType.class);
    Map<LayerType, INDArray> masks = new EnumMap<>(LayerType.class);
    DecoderSpec d = cfg.decoder();
    if (d == null) {
      masks.put(LayerType.FULL, mask(start, n, start + n, group, 0));
      return new CachedPass(cache, start, n, ropes, masks);
    }
    for (LayerType t : d.layerTypes()) {
      if (!masks.containsKey(t)) {
        masks.put(t, mask(start, n, start + n, group, t == LayerType.SLIDING ? d.slidingWindow() : 0));
        // the frequencies for the sequence length in use, as transformers recomputes them per call
        RopeParameters.Frequencies f = d.rope().get(t).frequencies(start + n);
        ropes.put(t, new Rope(f.invFreq(), f.attentionFactor(), cfg.headDim(), n, start));
      }
    }
    return new CachedPass(cache, start, n, ropes, masks);
  }

  /** Query at position p = start + (row mod n) sees key j when j ≤ p and (no window or j > p − window). */
  private static INDArray mask(int start, int n, int total, int group, int window) {
    float[] m = new float[group * n * total];
    for (int row = 0; row < group * n; row++) {
      int p = start + row % n;
      for (int j = 0; j < total; j++) {
        if (j > p || (window > 0 && j <= p - window)) {
          m[row * total + j] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    return Nd4j.create(m, new long[] {1, (long) group * n * total}, 'c');
  }
}
