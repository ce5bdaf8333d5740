package org.lorafleet.trainer.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen linear layer with an optional LoRA branch (Hu et al., "LoRA", 2021) as PEFT computes it:
 * {@code y = x·W (+ b) + scaling · dropout(x)·Aᵀ·Bᵀ}, A [r, in], B [out, r].
 *
 * <p>The frozen weight is kept in its checkpoint layout: GPT-2 Conv1D stores [in, out], nn.Linear
 * stores [out, in]. Backward computes dX and the adapter gradients only; no gradient of the frozen
 * weight is ever formed. The adapter arrays are owned by the caller and updated in place between
 * steps; instances are otherwise immutable and may be shared by threads that each use their own
 * {@link Saved}.
 */
public final class LoraLinear {

  private final String name;
  private final FrozenWeight weight;
  private final boolean weightInOut;
  private final INDArray bias;
  private final int in;
  private final int out;
  private INDArray loraA; // [r, in]
  private INDArray loraB; // [out, r]
  private double scaling;
  private double dropout;

  public LoraLinear(String name, INDArray weight, boolean weightInOut, INDArray bias) {
    this(name, new DenseWeight(weight), weightInOut, bias);
  }

  /** A layer over a frozen weight in any stored form (dense half precision or quantised). */
  public LoraLinear(String name, FrozenWeight weight, boolean weightInOut, INDArray bias) {
    this.name = name;
    this.weight = weight;
    this.weightInOut = weightInOut;
    this.bias = bias;
    long[] shape = weight.shape();
    this.in = (int) (weightInOut ? shape[0] : shape[1]);
    this.out = (int) (weightInOut ? shape[1] : shape[0]);
    if (bias != null && bias.length() != out) {
      throw new IllegalArgumentException("Bias of '" + name + "' has " + bias.length() + " values but the layer has "
          + out + " outputs.");
    }
  }

  /** A layer sharing this one's frozen weight and bias, with no adapter attached (for another thread). */
  public LoraLinear replica() {
    return new LoraLinear(name, weight, weightInOut, bias);
  }

  /** Module name as transformers names it, e.g. {@code transformer.h.0.attn.c_attn}. */
  public String name() {
    return name;
  }

  public int in() {
    return in;
  }

  public int out() {
    return out;
  }

  /** The frozen weight in its stored form. */
  public FrozenWeight frozen() {
    return weight;
  }

  /** Bytes of the frozen weight and bias. */
  public long frozenBytes() {
    return weight.bytes() + (bias == null ? 0 : bias.length() * bias.dataType().width());
  }

  public boolean weightInOut() {
    return weightInOut;
  }

  /** The attached A [r, in], or null (read-only use: the caller that attached it owns it). */
  public INDArray loraA() {
    return loraA;
  }

  /** The attached B [out, r], or null. */
  public INDArray loraB() {
    return loraB;
  }

  public boolean hasAdapter() {
    return loraA != null;
  }

  /** Attaches adapter arrays (A [r, in], B [out, r]) that the caller keeps updating in place. */
  public void attach(INDArray a, INDArray b, double scaling, double dropout) {
    if (a.rank() != 2 || a.size(1) != in || b.rank() != 2 || b.size(0) != out || b.size(1) != a.size(0)) {
      throw new IllegalArgumentException("LoRA shapes for '" + name + "' do not fit the layer [in=" + in + ", out=" + out
          + "]: A " + java.util.Arrays.toString(a.shape()) + ", B " + java.util.Arrays.toString(b.shape())
          + " (expected A [r, " + in + "], B [" + out + ", r]).");
    }
    this.loraA = a;
    this.loraB = b;
    this.scaling = scaling;
    this.dropout = dropout;
  }

  /** What backward needs: the dropped-out input, the dropout mask (null without dropout) and u = x·Aᵀ [N, r]. */
  public record Saved(INDArray xDropped, INDArray mask, INDArray u) {}

  /**
   * @param x [N, in]
   * @param rng dropout randomness, or null to disable dropout (evaluation)
   * @return y [N, out]
   */
  public INDArray forward(INDArray x, SplittableRandom rng, Saved[] saved) {
    INDArray y = frozenGemm(x, false);
    if (bias != null) {
      y.addiRowVector(bias);
    }
    INDArray xd = null;
    INDArray mask = null;
    INDArray u = null;
    if (loraA != null) {
      mask = rng != null && dropout > 0 ? dropoutMask(x, rng) : null;
      xd = mask == null ? x : x.mul(mask);
      u = Nd4j.gemm(xd, loraA, false, true); // [N, r]
      Nd4j.gemm(u, loraB, y, false, true, scaling, 1.0);
    }
    if (saved != null) {
      saved[0] = new Saved(xd, mask, u);
    }
    return y;
  }

  /**
   * x·Wᵀ (forward, y [N, out]) or dy·W (backward, dx [N, in]) with the frozen weight in float32; a
   * stored form other than float32 is expanded inside a scratch scope, so the float32 copy lives
   * for this one GEMM only. A weight marked for the bfloat16 kernel multiplies there instead, and a
   * float32 one through oneDNN's float32 kernel where the CPU has AVX-512 ({@link OneDnnMatmul#floatAvailable}).
   */
  private INDArray frozenGemm(INDArray x, boolean backward) {
    boolean transpose = backward ? weightInOut : !weightInOut;
    if (weight instanceof DenseWeight d && d.bf16Kernel()) {
      return OneDnnMatmul.mm(x, d.values(), transpose);
    }
    if (weight instanceof DenseWeight d && (d.values().dataType() == x.dataType())) {
      if (x.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT && OneDnnMatmul.contiguousC(d.values())
          && OneDnnMatmul.floatAvailable()) {
        return OneDnnMatmul.mmFloat(x, d.values(), transpose);
      }
      return Nd4j.gemm(x, d.values(), false, transpose);
    }
    INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), backward ? in : out);
    try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
      y.assign(Nd4j.gemm(x, weight.toFloat(), false, transpose));
    }
    return y;
  }

  private INDArray dropoutMask(INDArray x, SplittableRandom rng) {
    float keep = (float) (1.0 / (1.0 - dropout));
    float[] m = new float[(int) x.length()];
    for (int i = 0; i < m.length; i++) {
      m[i] = rng.nextDouble() < dropout ? 0f : keep;
    }
    return Nd4j.create(m, x.shape(), 'c');
  }

  /**
   * @param dy [N, out]
   * @param grads receives dA [r, in] and dB [out, r] of the summed loss (added into existing sums)
   * @return dx [N, in]
   */
  public INDArray backward(INDArray dy, Saved s, LoraGradients grads) {
    return backward(dy, s, grads, true);
  }

  /**
   * As {@link #backward(INDArray, Saved, LoraGradients)}; without {@code inputGrad} only the adapter
   * gradients are formed (no dx GEMMs: the first layer's input is the frozen embedding) and null is returned.
   */
  public INDArray backward(INDArray dy, Saved s, LoraGradients grads, boolean inputGrad) {
    INDArray dx = inputGrad ? frozenGemm(dy, true) : null;
    if (loraA != null) {
      INDArray dB = Nd4j.gemm(dy, s.u(), true, false).muli(scaling); // [out, r]
      INDArray du = Nd4j.gemm(dy, loraB, false, false).muli(scaling); // [N, r]
      INDArray dA = Nd4j.gemm(du, s.xDropped(), true, false); // [r, in]
      grads.add(name, dA, dB);
      if (!inputGrad) {
        return null;
      }
      INDArray dxLora = Nd4j.gemm(du, loraA, false, false); // [N, in]
      if (s.mask() != null) {
        dxLora.muli(s.mask()); // d(x ⊙ mask)/dx = mask
      }
      dx.addi(dxLora);
    }
    return dx;
  }
}
