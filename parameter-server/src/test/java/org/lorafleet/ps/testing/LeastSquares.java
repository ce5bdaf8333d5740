package org.lorafleet.ps.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * A small differentiable problem with LoRA-shaped parameters: y ≈ B·A·x + b, loss per sample
 * ½‖B·A·x + b − y‖². Each sample counts as one token. Gradient sums are computed in double and
 * returned as float32, as a worker would push them.
 */
public final class LeastSquares {

  public static final String A = "layer.lora_A.weight";
  public static final String B = "layer.lora_B.weight";
  public static final String BIAS = "layer.bias";

  public final int in;
  public final int rank;
  public final int out;

  public LeastSquares(int in, int rank, int out) {
    this.in = in;
    this.rank = rank;
    this.out = out;
  }

  /** One sample. */
  public record Sample(double[] x, double[] y) {}

  /** What a worker pushes for a batch. */
  public record Grad(Map<String, FloatTensor> sums, double lossSum, long tokens) {}

  public Map<String, FloatTensor> initialWeights(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    m.put(A, random(r, 0.5, rank, in));
    m.put(B, random(r, 0.5, out, rank));
    m.put(BIAS, random(r, 0.1, out));
    return m;
  }

  public List<Sample> samples(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Sample> s = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      double[] x = new double[in];
      double[] y = new double[out];
      for (int i = 0; i < in; i++) {
        x[i] = r.nextDouble(-1, 1);
      }
      for (int i = 0; i < out; i++) {
        y[i] = r.nextDouble(-1, 1) + (i < in ? x[i] : 0);
      }
      s.add(new Sample(x, y));
    }
    return s;
  }

  /** Gradient sums of Σ ½‖B·A·x + b − y‖² over the batch at the given weights. */
  public Grad gradient(Map<String, FloatTensor> w, List<Sample> batch) {
    float[] a = w.get(A).data();
    float[] b = w.get(B).data();
    float[] bias = w.get(BIAS).data();
    double[] ga = new double[rank * in];
    double[] gb = new double[out * rank];
    double[] gbias = new double[out];
    double loss = 0;
    for (Sample s : batch) {
      double[] ax = new double[rank];
      for (int i = 0; i < rank; i++) {
        for (int j = 0; j < in; j++) {
          ax[i] += a[i * in + j] * s.x()[j];
        }
      }
      double[] e = new double[out];
      for (int o = 0; o < out; o++) {
        double p = bias[o];
        for (int i = 0; i < rank; i++) {
          p += b[o * rank + i] * ax[i];
        }
        e[o] = p - s.y()[o];
        loss += 0.5 * e[o] * e[o];
      }
      for (int o = 0; o < out; o++) {
        gbias[o] += e[o];
        for (int i = 0; i < rank; i++) {
          gb[o * rank + i] += e[o] * ax[i];
        }
      }
      for (int i = 0; i < rank; i++) {
        double bte = 0;
        for (int o = 0; o < out; o++) {
          bte += b[o * rank + i] * e[o];
        }
        for (int j = 0; j < in; j++) {
          ga[i * in + j] += bte * s.x()[j];
        }
      }
    }
    Map<String, FloatTensor> g = new LinkedHashMap<>();
    g.put(A, new FloatTensor(new long[] {rank, in}, toFloat(ga)));
    g.put(B, new FloatTensor(new long[] {out, rank}, toFloat(gb)));
    g.put(BIAS, new FloatTensor(new long[] {out}, toFloat(gbias)));
    return new Grad(g, loss, batch.size());
  }

  public static FloatTensor random(SplittableRandom r, double scale, long... shape) {
    FloatTensor t = FloatTensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (r.nextDouble(-1, 1) * scale);
    }
    return t;
  }

  static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  public static Map<String, FloatTensor> copy(Map<String, FloatTensor> m) {
    Map<String, FloatTensor> c = new LinkedHashMap<>();
    m.forEach((k, t) -> c.put(k, t.copy()));
    return c;
  }
}
