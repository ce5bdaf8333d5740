package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient checks, in double precision, of whole rotary decoder layers in each
 * family's variant: the hand-written backward (dX and the LoRA gradients) must match central
 * differences of {@code L = Σ R ⊙ block(x)} for a fixed random R. Covers q/k norms, (1 + w) norms,
 * the four-norm Gemma layout, gelu_pytorch_tanh, fused qkv/gate_up projections, partial rotary,
 * RoPE attention factors (yarn, longrope), sliding-window masks and grouped-query attention.
 */
class RotaryBlockGradientTest {

  private static final int BATCH = 2;
  private static final int SEQ = 6;
  private static final int HIDDEN = 8;
  private static final int INNER = 12;
  private static final int RANK = 2;

  /** One layer's variant: name, spec fields that matter, head layout. */
  record Variant(String name, int heads, int kvHeads, int headDim, DecoderSpec spec, LayerType type) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> variants() {
    RopeParameters plain = RopeParameters.plain(10_000, 4, 64);
    RopeParameters half = RopeParameters.plain(10_000, 2, 64); // only used through partial variants below
    RopeParameters yarn = new RopeParameters("yarn", 10_000, 4, 4, 2, 64, 0, 0, Double.NaN, 0.7, 0.3, 32, 1, true,
        null, null);
    RopeParameters longrope = new RopeParameters("longrope", 10_000, 2, 4, 4, 16, 0, 0, Double.NaN, 0, 0, 32, 1,
        true, new double[] {1.0}, new double[] {2.5});
    RopeParameters linear = new RopeParameters("linear", 1e6, 4, 8, 64, 64, 0, 0, Double.NaN, 0, 0, 32, 1, true,
        null, null);
    return Stream.of(
        Arguments.of(new Variant("llama-gqa", 4, 2, 4, spec(DecoderSpec.Activation.SILU, false, false, false, false,
            0.5, LayerType.FULL, 0, plain), LayerType.FULL)),
        Arguments.of(new Variant("qwen3-qk-norm-head-dim", 2, 1, 4, spec(DecoderSpec.Activation.SILU, false, false,
            true, false, 0.5, LayerType.FULL, 0, yarn), LayerType.FULL)),
        Arguments.of(new Variant("gemma3-sliding", 2, 1, 4, spec(DecoderSpec.Activation.GELU_TANH, true, true, true,
            false, 0.37, LayerType.SLIDING, 3, linear), LayerType.SLIDING)),
        Arguments.of(new Variant("phi3-fused-partial-longrope", 2, 2, 4, spec(DecoderSpec.Activation.SILU, false,
            false, false, true, 0.5, LayerType.SLIDING, 4, longrope), LayerType.SLIDING)),
        Arguments.of(new Variant("mistral-sliding-partial", 2, 1, 4, spec(DecoderSpec.Activation.SILU, false, false,
            false, false, 0.5, LayerType.SLIDING, 2, half), LayerType.SLIDING)));
  }

  private static DecoderSpec spec(DecoderSpec.Activation act, boolean plusOne, boolean sandwich, boolean qkNorm,
      boolean fused, double attentionScale, LayerType type, int window, RopeParameters rope) {
    return new DecoderSpec(act, plusOne, sandwich, qkNorm, fused, 1.0, attentionScale, 0, List.of(type), window,
        Map.of(type, rope));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void backwardMatchesFiniteDifferences(Variant v) {
    Nd.init();
    Random rnd = new Random(42);
    HfModelConfig cfg = new HfModelConfig(Architecture.LLAMA, v.name(), 16, HIDDEN, 1, v.heads(), v.kvHeads(),
        v.headDim(), INNER, 64, 1e-6, false, v.spec());
    DecoderSpec d = v.spec();
    int q = cfg.qDim();
    int kv = cfg.kvDim();
    RotaryAttention attention = d.fusedProjections()
        ? new RotaryAttention(cfg, v.type(), lora("qkv", HIDDEN, q + 2 * kv, rnd), null, null,
            lora("o", q, HIDDEN, rnd), null, null)
        : new RotaryAttention(cfg, v.type(), lora("q", HIDDEN, q, rnd), lora("k", HIDDEN, kv, rnd),
            lora("v", HIDDEN, kv, rnd), lora("o", q, HIDDEN, rnd), d.qkNorm() ? gain(v.headDim(), rnd) : null,
            d.qkNorm() ? gain(v.headDim(), rnd) : null);
    GatedMlp mlp = d.fusedProjections()
        ? new GatedMlp(d.activation(), INNER, lora("gate_up", HIDDEN, 2 * INNER, rnd), null,
            lora("down", INNER, HIDDEN, rnd))
        : new GatedMlp(d.activation(), INNER, lora("gate", HIDDEN, INNER, rnd), lora("up", HIDDEN, INNER, rnd),
            lora("down", INNER, HIDDEN, rnd));
    RotaryBlock block = new RotaryBlock(cfg, gain(HIDDEN, rnd), d.sandwichNorms() ? gain(HIDDEN, rnd) : null,
        gain(HIDDEN, rnd), d.sandwichNorms() ? gain(HIDDEN, rnd) : null, attention, mlp);
    Pass pass = doublePass(cfg, v.type());

    INDArray x = random(rnd, 2.0, BATCH * SEQ, HIDDEN);
    INDArray r = random(rnd, 1.0, BATCH * SEQ, HIDDEN);
    Deque<Object> tape = new ArrayDeque<>();
    block.forward(x.dup(), pass, tape);
    LoraGradients grads = new LoraGradients();
    INDArray dx = block.backward(r.dup(), pass, tape, grads);

    double h = 1e-5;
    double[] fdX = new double[(int) x.length()];
    for (int i = 0; i < fdX.length; i++) {
      fdX[i] = central(() -> loss(block, pass, x, r), x, i, h);
    }
    assertClose(v + " dX", toDoubles(dx), fdX, 1e-6);

    for (LoraLinear layer : block.linears()) {
      INDArray a = layer.loraA();
      INDArray b = layer.loraB();
      double[] fdA = new double[(int) a.length()];
      for (int i = 0; i < fdA.length; i++) {
        fdA[i] = central(() -> loss(block, pass, x, r), a, i, h);
      }
      double[] fdB = new double[(int) b.length()];
      for (int i = 0; i < fdB.length; i++) {
        fdB[i] = central(() -> loss(block, pass, x, r), b, i, h);
      }
      // LoraGradients keeps float32 sums: compare at float precision
      assertClose(v + " dA of " + layer.name(), toDoubles(grads.a(layer.name()).data()), fdA, 1e-5);
      assertClose(v + " dB of " + layer.name(), toDoubles(grads.b(layer.name()).data()), fdB, 1e-5);
    }
  }

  private static double loss(RotaryBlock block, Pass pass, INDArray x, INDArray r) {
    return block.forward(x.dup(), pass, null).mul(r).sumNumber().doubleValue();
  }

  private static double central(java.util.function.DoubleSupplier f, INDArray param, int i, double h) {
    double orig = param.getDouble(i);
    param.putScalar(i, orig + h);
    double plus = f.getAsDouble();
    param.putScalar(i, orig - h);
    double minus = f.getAsDouble();
    param.putScalar(i, orig);
    return (plus - minus) / (2 * h);
  }

  private static Pass doublePass(HfModelConfig cfg, LayerType type) {
    DecoderSpec d = cfg.decoder();
    Map<LayerType, Integer> windows = new EnumMap<>(LayerType.class);
    Map<LayerType, Rope> ropes = new EnumMap<>(LayerType.class);
    windows.put(type, type == LayerType.SLIDING ? d.slidingWindow() : 0);
    RopeParameters.Frequencies f = d.rope().get(type).frequencies(SEQ);
    ropes.put(type, new Rope(f.invFreq(), f.attentionFactor(), cfg.headDim(), SEQ, DataType.DOUBLE));
    return new Pass(BATCH, SEQ, windows, ropes, null);
  }

  private static LoraLinear lora(String name, int in, int out, Random rnd) {
    LoraLinear l = new LoraLinear(name, random(rnd, 1.0 / Math.sqrt(in), out, in), false, random(rnd, 0.1, out));
    l.attach(random(rnd, 0.5, RANK, in), random(rnd, 0.5, out, RANK), 1.5, 0);
    return l;
  }

  private static INDArray gain(int n, Random rnd) {
    return random(rnd, 0.3, n).addi(1.0);
  }

  private static INDArray random(Random rnd, double scale, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] v = new double[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextGaussian() * scale;
    }
    return Nd4j.create(v, shape, 'c');
  }

  private static double[] toDoubles(INDArray a) {
    return Nd4j.toFlattened('c', a).toDoubleVector();
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static void assertClose(String what, double[] actual, double[] expected, double tol) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
      den += expected[i] * expected[i];
    }
    double rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    assertTrue(den > 0, what + ": the reference gradient is zero, so the check would prove nothing");
    assertTrue(rel <= tol, what + ": relative error " + rel + " exceeds " + tol);
  }
}
