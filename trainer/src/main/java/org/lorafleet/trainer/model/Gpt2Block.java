package org.lorafleet.trainer.model;

import java.util.Deque;
import java.util.List;
import org.lorafleet.trainer.nn.Activations;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.LayerNorm;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** GPT-2 layer: x + attn(ln_1(x)), then + mlp(ln_2(·)) with gelu_new; fused c_attn for q, k, v. */
final class Gpt2Block implements DecoderBlock {

  private final HfModelConfig cfg;
  private final INDArray ln1g;
  private final INDArray ln1b;
  private final INDArray ln2g;
  private final INDArray ln2b;
  private final LoraLinear cAttn; // [H] → [3H]
  private final LoraLinear attnProj; // [H] → [H]
  private final LoraLinear cFc; // [H] → [I]
  private final LoraLinear mlpProj; // [I] → [H]

  Gpt2Block(HfModelConfig cfg, INDArray ln1g, INDArray ln1b, INDArray ln2g, INDArray ln2b, LoraLinear cAttn,
      LoraLinear attnProj, LoraLinear cFc, LoraLinear mlpProj) {
    this.cfg = cfg;
    this.ln1g = ln1g;
    this.ln1b = ln1b;
    this.ln2g = ln2g;
    this.ln2b = ln2b;
    this.cAttn = cAttn;
    this.attnProj = attnProj;
    this.cFc = cFc;
    this.mlpProj = mlpProj;
  }

  @Override
  public DecoderBlock replica() {
    return new Gpt2Block(cfg, ln1g, ln1b, ln2g, ln2b, cAttn.replica(), attnProj.replica(), cFc.replica(),
        mlpProj.replica());
  }

  @Override
  public List<LoraLinear> linears() {
    return List.of(cAttn, attnProj, cFc, mlpProj);
  }

  private record Saved(LayerNorm.Saved ln1, LoraLinear.Saved qkv, CausalAttention.Saved attn, LoraLinear.Saved proj,
      LayerNorm.Saved ln2, LoraLinear.Saved fc, INDArray preAct, INDArray geluGate, LoraLinear.Saved mlp) {}

  @Override
  public INDArray forward(INDArray x, Pass p, Deque<Object> tape) {
    boolean keep = tape != null;
    LayerNorm.Saved[] l1 = keep ? new LayerNorm.Saved[1] : null;
    LayerNorm.Saved[] l2 = keep ? new LayerNorm.Saved[1] : null;
    LoraLinear.Saved[] sQkv = keep ? new LoraLinear.Saved[1] : null;
    LoraLinear.Saved[] sProj = keep ? new LoraLinear.Saved[1] : null;
    LoraLinear.Saved[] sFc = keep ? new LoraLinear.Saved[1] : null;
    LoraLinear.Saved[] sMlp = keep ? new LoraLinear.Saved[1] : null;
    CausalAttention.Saved[] sAtt = keep ? new CausalAttention.Saved[1] : null;
    int h = cfg.hidden();
    int nh = cfg.heads();
    int hd = cfg.headDim();

    INDArray a = LayerNorm.forward(x, ln1g, ln1b, cfg.normEps(), l1);
    INDArray qkv = cAttn.forward(a, p.rng(), sQkv); // [N, 3H]
    INDArray q = Nd.splitHeads(columns(qkv, 0, h), p.batch(), p.seq(), nh, hd); // [B·nh, T, hd]
    INDArray k = Nd.splitHeads(columns(qkv, h, 2 * h), p.batch(), p.seq(), nh, hd);
    INDArray v = Nd.splitHeads(columns(qkv, 2 * h, 3 * h), p.batch(), p.seq(), nh, hd);
    INDArray o = CausalAttention.forward(q, k, v, 1.0 / Math.sqrt(hd), 1, 0, sAtt);
    INDArray attnOut = attnProj.forward(Nd.mergeHeads(o, p.batch(), p.seq(), nh, hd), p.rng(), sProj);
    INDArray x2 = x.add(attnOut);
    INDArray m = LayerNorm.forward(x2, ln2g, ln2b, cfg.normEps(), l2);
    INDArray pre = cFc.forward(m, p.rng(), sFc); // [N, I]
    Activations.Gelu act = Activations.geluNew(pre);
    INDArray mlpOut = mlpProj.forward(act.out(), p.rng(), sMlp);
    if (keep) {
      tape.push(new Saved(l1[0], sQkv[0], sAtt[0], sProj[0], l2[0], sFc[0], pre, act.gate(), sMlp[0]));
    }
    return x2.addi(mlpOut);
  }

  @Override
  public INDArray forwardCached(INDArray x, int layer, CachedPass p) {
    int h = cfg.hidden();
    int nh = cfg.heads();
    int hd = cfg.headDim();
    int n = p.n();
    INDArray qkv = cAttn.forward(LayerNorm.forward(x, ln1g, ln1b, cfg.normEps(), null), null, null); // [n, 3H]
    INDArray q = Nd.splitHeads(columns(qkv, 0, h), 1, n, nh, hd); // [nh, n, hd]
    INDArray[] all = p.cache().append(layer, Nd.splitHeads(columns(qkv, h, 2 * h), 1, n, nh, hd),
        Nd.splitHeads(columns(qkv, 2 * h, 3 * h), 1, n, nh, hd));
    INDArray o = CausalAttention.forwardCached(q, all[0], all[1], 1.0 / Math.sqrt(hd), p.masks().get(LayerType.FULL));
    INDArray x2 = x.add(attnProj.forward(Nd.mergeHeads(o, 1, n, nh, hd), null, null));
    INDArray m = LayerNorm.forward(x2, ln2g, ln2b, cfg.normEps(), null);
    return x2.addi(mlpProj.forward(Activations.geluNew(cFc.forward(m, null, null)).out(), null, null));
  }

  @Override
  public INDArray backward(INDArray dy, Pass p, Deque<Object> tape, LoraGradients grads, boolean inputGrad) {
    Saved s = (Saved) tape.pop();
    int nh = cfg.heads();
    int hd = cfg.headDim();
    INDArray dAct = mlpProj.backward(dy, s.mlp(), grads);
    INDArray dPre = Activations.geluNewBackward(dAct, s.preAct(), s.geluGate());
    INDArray dM = cFc.backward(dPre, s.fc(), grads);
    INDArray dX2 = dy.add(LayerNorm.backward(dM, ln2g, s.ln2()));
    INDArray dMerged = attnProj.backward(dX2, s.proj(), grads);
    INDArray[] dQkv = CausalAttention.backward(Nd.splitHeads(dMerged, p.batch(), p.seq(), nh, hd), s.attn());
    INDArray dFused = Nd4j.hstack(
        Nd.mergeHeads(dQkv[0], p.batch(), p.seq(), nh, hd),
        Nd.mergeHeads(dQkv[1], p.batch(), p.seq(), nh, hd),
        Nd.mergeHeads(dQkv[2], p.batch(), p.seq(), nh, hd)); // [N, 3H]
    INDArray dA = cAttn.backward(dFused, s.qkv(), grads, inputGrad);
    return inputGrad ? dX2.addi(LayerNorm.backward(dA, ln1g, s.ln1())) : null;
  }

  private static INDArray columns(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }
}
