package org.lorafleet.trainer.model;

import java.util.List;
import org.lorafleet.trainer.nn.CausalAttention;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.Nd;
import org.lorafleet.trainer.nn.RmsNorm;
import org.lorafleet.trainer.nn.Rope;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention half of a rotary decoder layer: q/k/v projections (separate, or one fused
 * {@code qkv_proj} split as [q | k | v]), optional per-head RMSNorm of q and k (Qwen3, Gemma 3),
 * RoPE of the layer's type, grouped-query causal attention (sliding window where the model sets
 * one), then {@code o_proj}. Each key/value head serves heads/kvHeads query heads.
 */
final class RotaryAttention {

  private final HfModelConfig cfg;
  private final LayerType type;
  private final LoraLinear q; // [H] → [nh·hd], or the fused [H] → [(nh + 2·nkv)·hd]
  private final LoraLinear k; // null when fused
  private final LoraLinear v; // null when fused
  private final LoraLinear o; // [nh·hd] → [H]
  private final INDArray qNorm; // [hd] effective gain, or null
  private final INDArray kNorm;

  RotaryAttention(HfModelConfig cfg, LayerType type, LoraLinear q, LoraLinear k, LoraLinear v, LoraLinear o,
      INDArray qNorm, INDArray kNorm) {
    this.cfg = cfg;
    this.type = type;
    this.q = q;
    this.k = k;
    this.v = v;
    this.o = o;
    this.qNorm = qNorm;
    this.kNorm = kNorm;
  }

  RotaryAttention replica() {
    return new RotaryAttention(cfg, type, q.replica(), k == null ? null : k.replica(), v == null ? null : v.replica(),
        o.replica(), qNorm, kNorm);
  }

  /** In transformers' module order (Phi3Attention declares o_proj before qkv_proj). */
  List<LoraLinear> linears() {
    return k == null ? List.of(o, q) : List.of(q, k, v, o);
  }

  record Saved(LoraLinear.Saved q, LoraLinear.Saved k, LoraLinear.Saved v, RmsNorm.Saved qn, RmsNorm.Saved kn,
      CausalAttention.Saved attn, LoraLinear.Saved o) {}

  /** a [B·T, H] (normed input) → o_proj output [B·T, H]. */
  INDArray forward(INDArray a, Pass p, Saved[] saved) {
    boolean keep = saved != null;
    LoraLinear.Saved[][] s = new LoraLinear.Saved[4][];
    for (int i = 0; i < 4; i++) {
      s[i] = keep ? new LoraLinear.Saved[1] : null;
    }
    RmsNorm.Saved[] sqn = keep ? new RmsNorm.Saved[1] : null;
    RmsNorm.Saved[] skn = keep ? new RmsNorm.Saved[1] : null;
    CausalAttention.Saved[] sAtt = keep ? new CausalAttention.Saved[1] : null;
    int b = p.batch();
    int t = p.seq();
    int nh = cfg.heads();
    int nkv = cfg.kvHeads();
    int hd = cfg.headDim();
    INDArray[] qkv = project(a, p.rng(), s);
    INDArray qOut = qkv[0];
    INDArray kOut = qkv[1];
    INDArray vOut = qkv[2];
    Rope rope = p.rope(type);
    INDArray qh = headNorm(Nd.splitHeads(qOut, b, t, nh, hd), qNorm, sqn); // [B·nh, T, hd]
    INDArray kh = headNorm(Nd.splitHeads(kOut, b, t, nkv, hd), kNorm, skn); // [B·nkv, T, hd]
    INDArray vh = Nd.splitHeads(vOut, b, t, nkv, hd);
    INDArray att = CausalAttention.forward(grouped(rope.apply(qh), b, t), rope.apply(kh), vh,
        cfg.decoder().attentionScale(), cfg.heads() / cfg.kvHeads(), p.window(type), sAtt);
    INDArray out = o.forward(Nd.mergeHeads(att, b, t, nh, hd), p.rng(), s[3]);
    if (keep) {
      saved[0] = new Saved(s[0][0], s[1] == null ? null : s[1][0], s[2] == null ? null : s[2][0],
          sqn[0], skn[0], sAtt[0], s[3][0]);
    }
    return out;
  }

  /** Generation step: a [n, H] (normed input) of new positions → o_proj output [n, H]; fills the cache. */
  INDArray forwardCached(INDArray a, int layer, CachedPass p) {
    int n = p.n();
    int nh = cfg.heads();
    int nkv = cfg.kvHeads();
    int hd = cfg.headDim();
    INDArray[] qkv = project(a, null, new LoraLinear.Saved[4][]);
    INDArray qOut = qkv[0];
    INDArray kOut = qkv[1];
    INDArray vOut = qkv[2];
    Rope rope = p.ropes().get(type);
    INDArray qh = rope.apply(headNorm(Nd.splitHeads(qOut, 1, n, nh, hd), qNorm, null)); // [nh, n, hd]
    INDArray kh = rope.apply(headNorm(Nd.splitHeads(kOut, 1, n, nkv, hd), kNorm, null)); // [nkv, n, hd]
    INDArray[] all = p.cache().append(layer, kh, Nd.splitHeads(vOut, 1, n, nkv, hd)); // [nkv, L, hd] each
    INDArray att = CausalAttention.forwardCached(grouped(qh, 1, n), all[0], all[1], cfg.decoder().attentionScale(),
        p.masks().get(type));
    return o.forward(Nd.mergeHeads(att, 1, n, nh, hd), null, null);
  }

  /** dOut [B·T, H] → d(normed input) [B·T, H] (null without {@code inputGrad}); adds adapter gradients. */
  INDArray backward(INDArray dOut, Pass p, Saved s, LoraGradients grads, boolean inputGrad) {
    int b = p.batch();
    int t = p.seq();
    int nh = cfg.heads();
    int nkv = cfg.kvHeads();
    int hd = cfg.headDim();
    Rope rope = p.rope(type);
    INDArray dMerged = o.backward(dOut, s.o(), grads);
    INDArray[] d = CausalAttention.backward(grouped(Nd.splitHeads(dMerged, b, t, nh, hd), b, t), s.attn());
    // rope backward on [B·nkv, G·T, hd]: G blocks of T positions, as the tables expect
    INDArray dq = headNormBackward(rope.backward(d[0]).reshape('c', (long) b * nh, t, hd), qNorm, s.qn());
    INDArray dk = headNormBackward(rope.backward(d[1]), kNorm, s.kn()); // already summed over the query group
    INDArray dqFlat = Nd.mergeHeads(dq, b, t, nh, hd);
    INDArray dkFlat = Nd.mergeHeads(dk, b, t, nkv, hd);
    INDArray dvFlat = Nd.mergeHeads(d[2], b, t, nkv, hd);
    if (k == null) {
      return q.backward(Nd4j.hstack(dqFlat, dkFlat, dvFlat), s.q(), grads, inputGrad);
    }
    INDArray dxq = q.backward(dqFlat, s.q(), grads, inputGrad);
    INDArray dxk = k.backward(dkFlat, s.k(), grads, inputGrad);
    INDArray dxv = v.backward(dvFlat, s.v(), grads, inputGrad);
    return inputGrad ? dxq.addi(dxk).addi(dxv) : null;
  }

  /**
   * {q [N, nh·hd], k [N, nkv·hd], v [N, nkv·hd]} from the separate projections or the fused
   * [q | k | v] one; {@code s[i]} (null entries: nothing kept) receive the projections' saved state.
   */
  private INDArray[] project(INDArray a, java.util.SplittableRandom rng, LoraLinear.Saved[][] s) {
    if (k == null) {
      INDArray qkv = q.forward(a, rng, s[0]); // [N, qDim + 2·kvDim]
      return new INDArray[] {Nd.columns(qkv, 0, cfg.qDim()), Nd.columns(qkv, cfg.qDim(), cfg.qDim() + cfg.kvDim()),
          Nd.columns(qkv, cfg.qDim() + cfg.kvDim(), cfg.qDim() + 2 * cfg.kvDim())};
    }
    return new INDArray[] {q.forward(a, rng, s[0]), k.forward(a, rng, s[1]), v.forward(a, rng, s[2])};
  }

  /** Per-head RMSNorm over head_dim of x [BH, T, hd] (identity when {@code gain} is null). */
  private INDArray headNorm(INDArray x, INDArray gain, RmsNorm.Saved[] saved) {
    if (gain == null) {
      return x;
    }
    return RmsNorm.forward(x.reshape('c', x.length() / cfg.headDim(), cfg.headDim()), gain, cfg.normEps(), saved)
        .reshape('c', x.shape());
  }

  private INDArray headNormBackward(INDArray dy, INDArray gain, RmsNorm.Saved s) {
    if (gain == null) {
      return dy;
    }
    return RmsNorm.backward(dy.reshape('c', dy.length() / cfg.headDim(), cfg.headDim()), gain, s)
        .reshape('c', dy.shape());
  }

  /**
   * [B·nh, T, hd] → [B·nkv, G·T, hd], a free reshape: query head h = kv·G + g reads key/value head
   * kv (as repeat_kv), so the G heads of one key/value head are adjacent blocks.
   */
  private INDArray grouped(INDArray x, int b, int t) {
    int group = cfg.heads() / cfg.kvHeads();
    return x.reshape('c', (long) b * cfg.kvHeads(), (long) group * t, cfg.headDim());
  }
}
