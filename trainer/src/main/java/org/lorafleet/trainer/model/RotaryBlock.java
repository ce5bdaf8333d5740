package org.lorafleet.trainer.model;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.RmsNorm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A rotary decoder layer (Llama, Qwen2/3, Mistral, Phi-3, Gemma 3):
 * {@code x2 = x + postAttn(attn(inputNorm(x)))}, {@code y = x2 + postMlp(mlp(preMlpNorm(x2)))},
 * where the post norms exist only in Gemma 3's four-norm ("sandwich") layout. Norm gains are the
 * effective ones ({@code 1 + w} for Gemma, folded in at load time).
 */
final class RotaryBlock implements DecoderBlock {

  private final HfModelConfig cfg;
  private final INDArray inputNorm; // [H]
  private final INDArray postAttnNorm; // [H] or null
  private final INDArray preMlpNorm; // [H]
  private final INDArray postMlpNorm; // [H] or null
  private final RotaryAttention attention;
  private final GatedMlp mlp;
  /** The MLP only reads the dropout randomness from a pass: none in generation. */
  private static final Pass NO_DROPOUT = new Pass(1, 1, java.util.Map.of(), java.util.Map.of(), null);

  RotaryBlock(HfModelConfig cfg, INDArray inputNorm, INDArray postAttnNorm, INDArray preMlpNorm, INDArray postMlpNorm,
      RotaryAttention attention, GatedMlp mlp) {
    this.cfg = cfg;
    this.inputNorm = inputNorm;
    this.postAttnNorm = postAttnNorm;
    this.preMlpNorm = preMlpNorm;
    this.postMlpNorm = postMlpNorm;
    this.attention = attention;
    this.mlp = mlp;
  }

  @Override
  public DecoderBlock replica() {
    return new RotaryBlock(cfg, inputNorm, postAttnNorm, preMlpNorm, postMlpNorm, attention.replica(), mlp.replica());
  }

  @Override
  public List<LoraLinear> linears() {
    List<LoraLinear> all = new ArrayList<>(attention.linears());
    all.addAll(mlp.linears());
    return all;
  }

  private record Saved(RmsNorm.Saved in, RotaryAttention.Saved attn, RmsNorm.Saved postAttn, RmsNorm.Saved preMlp,
      GatedMlp.Saved mlp, RmsNorm.Saved postMlp) {}

  @Override
  public INDArray forward(INDArray x, Pass p, Deque<Object> tape) {
    boolean keep = tape != null;
    RmsNorm.Saved[][] n = new RmsNorm.Saved[4][];
    for (int i = 0; i < 4; i++) {
      n[i] = keep ? new RmsNorm.Saved[1] : null;
    }
    RotaryAttention.Saved[] sAttn = keep ? new RotaryAttention.Saved[1] : null;
    GatedMlp.Saved[] sMlp = keep ? new GatedMlp.Saved[1] : null;
    double eps = cfg.normEps();

    INDArray attnOut = attention.forward(RmsNorm.forward(x, inputNorm, eps, n[0]), p, sAttn);
    if (postAttnNorm != null) {
      attnOut = RmsNorm.forward(attnOut, postAttnNorm, eps, n[1]);
    }
    INDArray x2 = x.add(attnOut);
    INDArray mlpOut = mlp.forward(RmsNorm.forward(x2, preMlpNorm, eps, n[2]), p, sMlp);
    if (postMlpNorm != null) {
      mlpOut = RmsNorm.forward(mlpOut, postMlpNorm, eps, n[3]);
    }
    if (keep) {
      tape.push(new Saved(n[0][0], sAttn[0], n[1][0], n[2][0], sMlp[0], n[3][0]));
    }
    return x2.addi(mlpOut);
  }

  @Override
  public INDArray forwardCached(INDArray x, int layer, CachedPass p) {
    double eps = cfg.normEps();
    INDArray attnOut = attention.forwardCached(RmsNorm.forward(x, inputNorm, eps, null), layer, p);
    if (postAttnNorm != null) {
      attnOut = RmsNorm.forward(attnOut, postAttnNorm, eps, null);
    }
    INDArray x2 = x.add(attnOut);
    INDArray mlpOut = mlp.forward(RmsNorm.forward(x2, preMlpNorm, eps, null), NO_DROPOUT, null);
    if (postMlpNorm != null) {
      mlpOut = RmsNorm.forward(mlpOut, postMlpNorm, eps, null);
    }
    return x2.addi(mlpOut);
  }

  @Override
  public INDArray backward(INDArray dy, Pass p, Deque<Object> tape, LoraGradients grads, boolean inputGrad) {
    Saved s = (Saved) tape.pop();
    INDArray dMlpOut = postMlpNorm == null ? dy : RmsNorm.backward(dy, postMlpNorm, s.postMlp());
    INDArray dM = mlp.backward(dMlpOut, s.mlp(), grads);
    INDArray dX2 = dy.add(RmsNorm.backward(dM, preMlpNorm, s.preMlp()));
    INDArray dAttnOut = postAttnNorm == null ? dX2 : RmsNorm.backward(dX2, postAttnNorm, s.postAttn());
    INDArray dA = attention.backward(dAttnOut, p, s.attn(), grads, inputGrad);
    return inputGrad ? dX2.addi(RmsNorm.backward(dA, inputNorm, s.in())) : null;
  }
}
