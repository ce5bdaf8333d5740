package org.lorafleet.trainer.model;

import java.util.List;
import org.lorafleet.trainer.nn.Activations;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gated MLP of a rotary decoder layer, {@code down(act(gate(x)) · up(x))}, with SiLU (Llama,
 * Qwen, Mistral, Phi-3) or gelu_pytorch_tanh (Gemma) on the gate. Phi-3 stores gate and up as one
 * {@code gate_up_proj} whose output is [gate | up].
 */
final class GatedMlp {

  private final DecoderSpec.Activation activation;
  private final int inner;
  private final LoraLinear gate; // [H] → [I], or the fused [H] → [2I]
  private final LoraLinear up; // null when fused
  private final LoraLinear down; // [I] → [H]

  GatedMlp(DecoderSpec.Activation activation, int inner, LoraLinear gate, LoraLinear up, LoraLinear down) {
    this.activation = activation;
    this.inner = inner;
    this.gate = gate;
    this.up = up;
    this.down = down;
  }

  GatedMlp replica() {
    return new GatedMlp(activation, inner, gate.replica(), up == null ? null : up.replica(), down.replica());
  }

  List<LoraLinear> linears() {
    return up == null ? List.of(gate, down) : List.of(gate, up, down);
  }

  /**
   * What backward needs: the two projections [N, I] only. The activation and the product fed to
   * down_proj (2–3 more [N, I] arrays) are recomputed in backward, bit for bit, so a training pass
   * keeps 2·I floats per row and layer for the MLP instead of 4–5·I. {@code down}'s saved input is
   * therefore null; its dropout mask and u are kept.
   */
  record Saved(LoraLinear.Saved gate, LoraLinear.Saved up, LoraLinear.Saved down, INDArray gatePre,
      INDArray upOut) {}

  /** m [N, H] → [N, H]. */
  INDArray forward(INDArray m, Pass p, Saved[] saved) {
    boolean keep = saved != null;
    LoraLinear.Saved[] sGate = keep ? new LoraLinear.Saved[1] : null;
    LoraLinear.Saved[] sUp = keep ? new LoraLinear.Saved[1] : null;
    LoraLinear.Saved[] sDown = keep ? new LoraLinear.Saved[1] : null;
    INDArray gatePre;
    INDArray upOut;
    if (up == null) {
      INDArray both = gate.forward(m, p.rng(), sGate); // [N, 2I]
      gatePre = Nd.columns(both, 0, inner);
      upOut = Nd.columns(both, inner, 2 * inner);
    } else {
      gatePre = gate.forward(m, p.rng(), sGate); // [N, I]
      upOut = up.forward(m, p.rng(), sUp);
    }
    INDArray out = down.forward(activate(gatePre).mul(upOut), p.rng(), sDown);
    if (keep) {
      LoraLinear.Saved d = sDown[0];
      saved[0] = new Saved(sGate[0], sUp[0], new LoraLinear.Saved(null, d.mask(), d.u()), gatePre, upOut);
    }
    return out;
  }

  /** act(gate) [N, I]: SiLU, or GELU (tanh form). */
  private INDArray activate(INDArray gatePre) {
    return activation == DecoderSpec.Activation.SILU ? Activations.silu(gatePre) : Activations.geluNew(gatePre).out();
  }

  /** dy [N, H] → dm [N, H]; adds adapter gradients. */
  INDArray backward(INDArray dy, Saved s, LoraGradients grads) {
    INDArray activated; // recomputed from the saved projection, as forward computed it
    INDArray geluGate = null;
    if (activation == DecoderSpec.Activation.SILU) {
      activated = Activations.silu(s.gatePre());
    } else {
      Activations.Gelu g = Activations.geluNew(s.gatePre());
      activated = g.out();
      geluGate = g.gate();
    }
    LoraLinear.Saved d = s.down();
    INDArray product = activated.mul(s.upOut()); // down_proj's input [N, I]
    INDArray dProd = down.backward(dy, new LoraLinear.Saved(d.mask() == null ? product : product.muli(d.mask()),
        d.mask(), d.u()), grads); // [N, I]
    INDArray dUp = dProd.mul(activated);
    dProd.muli(s.upOut()); // d(activated)
    INDArray dGate = activation == DecoderSpec.Activation.SILU
        ? Activations.siluBackward(dProd, s.gatePre())
        : Activations.geluNewBackward(dProd, s.gatePre(), geluGate);
    if (up == null) {
      return gate.backward(Nd4j.hstack(dGate, dUp), s.gate(), grads);
    }
    return gate.backward(dGate, s.gate(), grads).addi(up.backward(dUp, s.up(), grads));
  }
}
