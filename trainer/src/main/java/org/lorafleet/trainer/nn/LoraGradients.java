package org.lorafleet.trainer.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adapter gradients of one backward pass, per layer name, accumulated as heap float arrays so that
 * micro-batches and workers can be summed exactly and the arrays outlive the step's native memory.
 */
public final class LoraGradients {

  private final Map<String, float[][]> byLayer = new LinkedHashMap<>();
  private final Map<String, long[][]> shapes = new LinkedHashMap<>();

  /** Adds dA and dB of {@code layer} into the running sums. */
  public void add(String layer, INDArray dA, INDArray dB) {
    float[] a = Nd.flat(dA);
    float[] b = Nd.flat(dB);
    float[][] sums = byLayer.get(layer);
    if (sums == null) {
      byLayer.put(layer, new float[][] {a, b});
      shapes.put(layer, new long[][] {dA.shape(), dB.shape()});
      return;
    }
    addInto(sums[0], a);
    addInto(sums[1], b);
  }

  private static void addInto(float[] acc, float[] x) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += x[i];
    }
  }

  /** Gradient of A of {@code layer} [r, in], or null when the layer got none. */
  public FloatTensor a(String layer) {
    float[][] g = byLayer.get(layer);
    return g == null ? null : new FloatTensor(shapes.get(layer)[0], g[0]);
  }

  /** Gradient of B of {@code layer} [out, r], or null when the layer got none. */
  public FloatTensor b(String layer) {
    float[][] g = byLayer.get(layer);
    return g == null ? null : new FloatTensor(shapes.get(layer)[1], g[1]);
  }
}
