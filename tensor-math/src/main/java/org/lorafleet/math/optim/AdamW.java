package org.lorafleet.math.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * AdamW over named flat float32 arrays, numerically the same procedure as
 * {@code torch.optim.AdamW} (single-tensor path): decoupled decay {@code p *= 1 - lr*wd}, then
 * {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2},
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}.
 *
 * <p>The trainer's single-process loop and the parameter server call this same class, so both paths
 * run the same math. Not thread-safe: the caller serialises steps.
 */
public final class AdamW {

  private final AdamWSettings settings;
  private final Map<String, float[]> firstMoment = new LinkedHashMap<>();
  private final Map<String, float[]> secondMoment = new LinkedHashMap<>();
  private long step;

  public AdamW(AdamWSettings settings) {
    this.settings = settings;
  }

  public AdamWSettings settings() {
    return settings;
  }

  /** Number of steps taken so far (torch's {@code state['step']}). */
  public long step() {
    return step;
  }

  /**
   * Applies one update in place to {@code params} using {@code grads} (same names and sizes).
   * Gradients are read only. Throws before touching anything when names or sizes disagree.
   */
  public void update(Map<String, FloatTensor> params, Map<String, FloatTensor> grads, double lr) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, t) -> out.put(k, t.data()));
    update(params, grads, 1f, 1f, lr, out);
  }

  /**
   * One update with the gradient {@code g = grads[i] * gradScale * clipCoef} (two float32 roundings,
   * the second skipped when {@code clipCoef} is 1), writing the new parameters into {@code out}
   * (same names and sizes as {@code params}; may be {@code params}' own arrays for an in-place
   * step, or fresh arrays, leaving {@code params} untouched). Gradients are read only. Large
   * adapters are processed in parallel chunks ({@link Chunked}); each element's arithmetic is the
   * same as a sequential loop, so results do not depend on the thread count.
   */
  public void update(Map<String, FloatTensor> params, Map<String, FloatTensor> grads, float gradScale, float clipCoef,
      double lr, Map<String, float[]> out) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("Learning rate must be a finite number >= 0, got " + lr + ".");
    }
    for (Map.Entry<String, FloatTensor> e : params.entrySet()) {
      FloatTensor g = grads.get(e.getKey());
      if (g == null) {
        throw new IllegalArgumentException("No gradient was given for parameter '" + e.getKey() + "'.");
      }
      if (g.size() != e.getValue().size()) {
        throw new IllegalArgumentException("Gradient of '" + e.getKey() + "' has " + g.size()
            + " values but the parameter has " + e.getValue().size() + ".");
      }
      float[] o = out.get(e.getKey());
      if (o == null || o.length != e.getValue().size()) {
        throw new IllegalArgumentException("No output array of " + e.getValue().size() + " values was given for '"
            + e.getKey() + "'.");
      }
    }
    if (grads.size() != params.size()) {
      for (String name : grads.keySet()) {
        if (!params.containsKey(name)) {
          throw new IllegalArgumentException("Gradient '" + name + "' names no trainable parameter.");
        }
      }
    }
    step++;
    float b1 = (float) settings.beta1();
    float b2 = (float) settings.beta2();
    float oneMinusB1 = (float) (1 - settings.beta1());
    float oneMinusB2 = (float) (1 - settings.beta2());
    double bc1 = 1 - Math.pow(settings.beta1(), step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2(), step));
    float stepSize = (float) (lr / bc1);
    float invBc2Sqrt = (float) (1.0 / bc2Sqrt);
    float eps = (float) settings.eps();
    float decay = (float) (1 - lr * settings.weightDecay());
    boolean clip = clipCoef != 1f;
    int n = params.size();
    float[][] ps = new float[n][];
    float[][] gs = new float[n][];
    float[][] ms = new float[n][];
    float[][] vs = new float[n][];
    float[][] os = new float[n][];
    int[] lengths = new int[n];
    long total = 0;
    int a = 0;
    for (Map.Entry<String, FloatTensor> e : params.entrySet()) {
      float[] p = e.getValue().data();
      ps[a] = p;
      gs[a] = grads.get(e.getKey()).data();
      ms[a] = firstMoment.computeIfAbsent(e.getKey(), k -> new float[p.length]);
      vs[a] = secondMoment.computeIfAbsent(e.getKey(), k -> new float[p.length]);
      os[a] = out.get(e.getKey());
      lengths[a] = p.length;
      total += p.length;
      a++;
    }
    Chunked.run(Chunked.cut(lengths), total, c -> {
      float[] p = ps[c.array()];
      float[] g = gs[c.array()];
      float[] m = ms[c.array()];
      float[] v = vs[c.array()];
      float[] o = os[c.array()];
      for (int i = c.from(); i < c.to(); i++) {
        float gi = g[i] * gradScale;
        if (clip) {
          gi *= clipCoef;
        }
        float pi = p[i] * decay;
        float mi = b1 * m[i] + oneMinusB1 * gi;
        float vi = b2 * v[i] + oneMinusB2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float denom = (float) Math.sqrt(vi) * invBc2Sqrt + eps;
        o[i] = pi - stepSize * (mi / denom);
      }
    });
  }

  /** A deep copy of the optimizer state: moments per parameter and the step count. */
  public State snapshot() {
    Map<String, float[]> m = new LinkedHashMap<>();
    Map<String, float[]> v = new LinkedHashMap<>();
    firstMoment.forEach((k, a) -> m.put(k, a.clone()));
    secondMoment.forEach((k, a) -> v.put(k, a.clone()));
    return new State(step, m, v);
  }

  /** Replaces the state with a deep copy of {@code state}, so that training continues bit-for-bit. */
  public void restore(State state) {
    firstMoment.clear();
    secondMoment.clear();
    state.firstMoment().forEach((k, a) -> firstMoment.put(k, a.clone()));
    state.secondMoment().forEach((k, a) -> secondMoment.put(k, a.clone()));
    step = state.step();
  }

  /** Optimizer state: the step count and the first and second moments of each parameter. */
  public record State(long step, Map<String, float[]> firstMoment, Map<String, float[]> secondMoment) {
    public State {
      if (step < 0) {
        throw new IllegalArgumentException("Optimizer step must be >= 0, got " + step + ".");
      }
      if (!firstMoment.keySet().equals(secondMoment.keySet())) {
        throw new IllegalArgumentException("Optimizer state has first moments for " + firstMoment.keySet()
            + " but second moments for " + secondMoment.keySet() + ".");
      }
    }
  }
}
