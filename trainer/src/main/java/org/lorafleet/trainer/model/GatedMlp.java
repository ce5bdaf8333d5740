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

  /** {@code geluGate} is σ(2u) for gelu (what its backward reuses), null for SiLU. */
  record Saved(LoraLinear.Saved gate, LoraLinear.Saved up, LoraLinear.Saved down, INDArray gatePre, INDArray upOut,
      INDArray activated, INDArray geluGate) {}

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
    INDArray activated;
    INDArray geluGate = null;
    if (activation == DecoderSpec.Activation.SILU) {
      activated = Activations.silu(gatePre);
    } else {
      Activations.Gelu g = Activations.geluNew(gatePre);
      activated = g.out();
      geluGate = g.gate();
    }
    INDArray out = down.forward(activated.mul(upOut), p.rng(), sDown);
    if (keep) {
      saved[0] = new Saved(sGate[0], sUp[0], sDown[0], gatePre, upOut, activated, geluGate);
    }
    return out;
  }

  /** dy [N, H] → dm [N, H]; adds adapter gradients. */
  INDArray backward(INDArray dy, Saved s, LoraGradients grads) {
    INDArray dProd = down.backward(dy, s.down(), grads); // [N, I]
    INDArray dUp = dProd.mul(s.activated());
    dProd.muli(s.upOut()); // d(activated)
    INDArray dGate = activation == DecoderSpec.Activation.SILU
        ? Activations.siluBackward(dProd, s.gatePre())
        : Activations.geluNewBackward(dProd, s.gatePre(), s.geluGate());
    if (up == null) {
      return gate.backward(Nd4j.hstack(dGate, dUp), s.gate(), grads);
    }
    return gate.backward(dGate, s.gate(), grads).addi(up.backward(dUp, s.up(), grads));
  }
}
