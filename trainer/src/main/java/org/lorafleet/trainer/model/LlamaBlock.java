package org.lorafleet.trainer.model;

import java.util.Deque;
import java.util.List;
import org.lorafleet.trainer.nn.Activations;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.lorafleet.trainer.nn.RmsNorm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Llama layer: x + o_proj(attn(rope(q), rope(k), v)) on RMSNorm input, with grouped-query
 * attention (each key/value head serves heads/kvHeads query heads), then + down(silu(gate)·up).
 */
final class LlamaBlock implements DecoderBlock {

  private final ModelConfig cfg;
  private final INDArray inputNorm;
  private final INDArray postAttnNorm;
  private final LoraLinear qProj;
  private final LoraLinear kProj;
  private final LoraLinear vProj;
  private final LoraLinear oProj;
  private final LoraLinear gateProj;
  private final LoraLinear upProj;
  private final LoraLinear downProj;

  LlamaBlock(ModelConfig cfg, INDArray inputNorm, INDArray postAttnNorm, LoraLinear qProj, LoraLinear kProj,
      LoraLinear vProj, LoraLinear oProj, LoraLinear gateProj, LoraLinear upProj, LoraLinear downProj) {
    this.cfg = cfg;
    this.inputNorm = inputNorm;
    this.postAttnNorm = postAttnNorm;
    this.qProj = qProj;
    this.kProj = kProj;
    this.vProj = vProj;
    this.oProj = oProj;
    this.gateProj = gateProj;
    this.upProj = upProj;
    this.downProj = downProj;
  }

  @Override
  public DecoderBlock replica() {
    return new LlamaBlock(cfg, inputNorm, postAttnNorm, qProj.replica(), kProj.replica(), vProj.replica(),
        oProj.replica(), gateProj.replica(), upProj.replica(), downProj.replica());
  }

  @Override
  public List<LoraLinear> linears() {
    return List.of(qProj, kProj, vProj, oProj, gateProj, upProj, downProj);
  }

  private record Saved(RmsNorm.Saved n1, LoraLinear.Saved q, LoraLinear.Saved k, LoraLinear.Saved v,
      CausalAttention.Saved attn, LoraLinear.Saved o, RmsNorm.Saved n2, LoraLinear.Saved gate, LoraLinear.Saved up,
      LoraLinear.Saved down, INDArray gatePre, INDArray upOut, INDArray siluGate) {}

  @Override
  public INDArray forward(INDArray x, Pass p, Deque<Object> tape) {
    boolean keep = tape != null;
    RmsNorm.Saved[] n1 = keep ? new RmsNorm.Saved[1] : null;
    RmsNorm.Saved[] n2 = keep ? new RmsNorm.Saved[1] : null;
    LoraLinear.Saved[][] s = new LoraLinear.Saved[7][];
    for (int i = 0; i < 7; i++) {
      s[i] = keep ? new LoraLinear.Saved[1] : null;
    }
    CausalAttention.Saved[] sAtt = keep ? new CausalAttention.Saved[1] : null;
    int b = p.batch();
    int t = p.seq();
    int nh = cfg.heads();
    int nkv = cfg.kvHeads();
    int hd = cfg.headDim();

    INDArray a = RmsNorm.forward(x, inputNorm, cfg.normEps(), n1);
    INDArray q = p.rope().apply(Nd.splitHeads(qProj.forward(a, p.rng(), s[0]), b, t, nh, hd)); // [B·nh, T, hd]
    INDArray k = p.rope().apply(Nd.splitHeads(kProj.forward(a, p.rng(), s[1]), b, t, nkv, hd)); // [B·nkv, T, hd]
    INDArray v = Nd.splitHeads(vProj.forward(a, p.rng(), s[2]), b, t, nkv, hd);
    INDArray o = CausalAttention.forward(grouped(q, b, t), k, v, 1.0 / Math.sqrt(hd), p.mask(), sAtt);
    INDArray x2 = x.add(oProj.forward(Nd.mergeHeads(o, b, t, nh, hd), p.rng(), s[3]));
    INDArray m = RmsNorm.forward(x2, postAttnNorm, cfg.normEps(), n2);
    INDArray gatePre = gateProj.forward(m, p.rng(), s[4]); // [N, I]
    INDArray upOut = upProj.forward(m, p.rng(), s[5]);
    INDArray siluGate = Activations.silu(gatePre);
    INDArray mlpOut = downProj.forward(siluGate.mul(upOut), p.rng(), s[6]);
    if (keep) {
      tape.push(new Saved(n1[0], s[0][0], s[1][0], s[2][0], sAtt[0], s[3][0], n2[0], s[4][0], s[5][0], s[6][0],
          gatePre, upOut, siluGate));
    }
    return x2.addi(mlpOut);
  }

  @Override
  public INDArray backward(INDArray dy, Pass p, Deque<Object> tape, LoraGradients grads) {
    Saved s = (Saved) tape.pop();
    int b = p.batch();
    int t = p.seq();
    int nh = cfg.heads();
    int nkv = cfg.kvHeads();
    int hd = cfg.headDim();
    INDArray dProd = downProj.backward(dy, s.down(), grads); // [N, I]
    INDArray dUp = dProd.mul(s.siluGate());
    INDArray dGate = Activations.siluBackward(dProd.muli(s.upOut()), s.gatePre());
    INDArray dM = gateProj.backward(dGate, s.gate(), grads).addi(upProj.backward(dUp, s.up(), grads));
    INDArray dX2 = dy.add(RmsNorm.backward(dM, postAttnNorm, s.n2()));
    INDArray dMerged = oProj.backward(dX2, s.o(), grads);
    INDArray[] d = CausalAttention.backward(grouped(Nd.splitHeads(dMerged, b, t, nh, hd), b, t), s.attn());
    INDArray dq = p.rope().backward(d[0]); // [B·nkv, G·T, hd]: G blocks of T positions, as rope expects
    INDArray dk = p.rope().backward(d[1]); // [B·nkv, T, hd], already summed over the query group
    INDArray dv = d[2];
    INDArray dA = qProj.backward(Nd.mergeHeads(dq, b, t, nh, hd), s.q(), grads)
        .addi(kProj.backward(Nd.mergeHeads(dk, b, t, nkv, hd), s.k(), grads))
        .addi(vProj.backward(Nd.mergeHeads(dv, b, t, nkv, hd), s.v(), grads));
    return dX2.addi(RmsNorm.backward(dA, inputNorm, s.n1()));
  }

  /**
   * [B·nh, T, hd] → [B·nkv, G·T, hd], a free reshape: query head h = kv·G + g reads key/value head
   * kv (as repeat_kv), so the G heads of one key/value head are adjacent blocks.
   */
  private INDArray grouped(INDArray q, int b, int t) {
    int group = cfg.heads() / cfg.kvHeads();
    return q.reshape('c', (long) b * cfg.kvHeads(), (long) group * t, cfg.headDim());
  }
}
