package org.lorafleet.trainer.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.trainer.nn.CrossEntropy;
import org.lorafleet.trainer.nn.LayerNorm;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.lorafleet.trainer.nn.RmsNorm;
import org.lorafleet.trainer.nn.Softcap;
import org.lorafleet.trainer.nn.StepMemory;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen decoder-only language model (GPT-2 or a rotary family: Llama, Qwen, Mistral, Phi-3,
 * Gemma 3) with LoRA-capable linear layers: embeddings (scaled for Gemma) → blocks → final norm →
 * head (tied or separate; soft-capped where the model sets it). Built by {@link CausalLmLoader}.
 *
 * <p>The frozen arrays are read-only after loading, so several threads may run passes at once as
 * long as the adapters are not updated meanwhile.
 */
public final class CausalLm {

  private final ModelConfig cfg;
  private final INDArray tokenEmbedding; // [V, H]
  private final INDArray positionEmbedding; // [P, H], GPT-2 only
  private final List<DecoderBlock> blocks;
  private final INDArray finalNormGain; // [H]
  private final INDArray finalNormBias; // [H], GPT-2 only
  private final INDArray head; // [V, H]
  private final Map<String, LoraLinear> linears = new LinkedHashMap<>();

  CausalLm(ModelConfig cfg, INDArray tokenEmbedding, INDArray positionEmbedding, List<DecoderBlock> blocks,
      INDArray finalNormGain, INDArray finalNormBias, INDArray head) {
    this.cfg = cfg;
    this.tokenEmbedding = tokenEmbedding;
    this.positionEmbedding = positionEmbedding;
    this.blocks = List.copyOf(blocks);
    this.finalNormGain = finalNormGain;
    this.finalNormBias = finalNormBias;
    this.head = head;
    for (DecoderBlock b : blocks) {
      for (LoraLinear l : b.linears()) {
        linears.put(l.name(), l);
      }
    }
  }

  /**
   * A model sharing every frozen array with this one but with its own linear-layer wrappers, so
   * another thread can attach its own adapter. Costs no weight memory.
   */
  public CausalLm replica() {
    return new CausalLm(cfg, tokenEmbedding, positionEmbedding, blocks.stream().map(DecoderBlock::replica).toList(),
        finalNormGain, finalNormBias, head);
  }

  public ModelConfig config() {
    return cfg;
  }

  /** Every linear layer LoRA may target, by transformers module name, in model order (the head excluded). */
  public Map<String, LoraLinear> linears() {
    return java.util.Collections.unmodifiableMap(linears);
  }

  /** Logits [B·T, V] of a batch of token ids given row-major as B rows of T. No gradients. */
  public INDArray logits(long[] ids, int batch, int seq) {
    Pass pass = Pass.of(cfg, batch, seq, null);
    return head(forwardHidden(ids, pass, null, null));
  }

  /**
   * Logits [V] of the token following {@code ids} (one sequence), for generation. Only the last
   * position goes through the head, so the [T, V] logits matrix is never formed.
   */
  public float[] nextTokenLogits(long[] ids) {
    Pass pass = Pass.of(cfg, 1, ids.length, null);
    INDArray hidden = forwardHidden(ids, pass, null, null); // [T, H]
    INDArray last = hidden.getRow(ids.length - 1, true); // [1, H]
    return head(last).toFloatVector();
  }

  /**
   * An empty KV cache for generating one sequence of up to {@code capacity} positions. GPT-2 caps it
   * at its position table.
   */
  public KvCache newCache(int capacity) {
    if (positionEmbedding != null && capacity > cfg.maxPositions()) {
      throw new IllegalArgumentException("A cache of " + capacity + " positions exceeds the model's n_positions ("
          + cfg.maxPositions() + ").");
    }
    return new KvCache(cfg, capacity);
  }

  /**
   * True when growing a cached sequence from {@code length} to {@code newLength} positions changes the
   * RoPE tables of the positions already cached (LongRoPE's switch to its long factors), so the cache
   * must be rebuilt, as transformers' Phi-3 drops its cache there.
   */
  public boolean cacheInvalidatedBy(int length, int newLength) {
    if (cfg.decoder() == null) {
      return false;
    }
    return cfg.decoder().rope().values().stream().anyMatch(r -> r.type().equals("longrope")
        && length <= r.originalMaxPositions() && newLength > r.originalMaxPositions());
  }

  /**
   * Feeds {@code newIds} (one sequence, the positions after those in {@code cache}) through the
   * model, appends their keys and values to the cache and returns the logits [V] of the token after
   * the last of them. Each call costs O(cache length) attention per new position. No gradients.
   */
  public float[] nextTokenLogits(long[] newIds, KvCache cache) {
    if (newIds.length == 0) {
      throw new IllegalArgumentException("Generation needs at least one new token id.");
    }
    try (MemoryWorkspace ws = StepMemory.open()) {
      CachedPass pass = CachedPass.of(cfg, cache, newIds.length);
      INDArray x = embed(newIds, pass.start()); // [n, H]
      for (int i = 0; i < blocks.size(); i++) {
        x = blocks.get(i).forwardCached(x, i, pass);
      }
      cache.advance(newIds.length);
      x = finalNorm(x.getRow(newIds.length - 1, true).dup(), null); // [1, H]
      return head(x).toFloatVector();
    }
  }

  /** Summed loss and token count of a batch, without gradients (evaluation). */
  public CrossEntropy.Result loss(long[] ids, long[] labels, int batch, int seq) {
    try (MemoryWorkspace ws = StepMemory.open()) {
      return CrossEntropy.compute(logits(ids, batch, seq), labels, batch, seq, false);
    }
  }

  /** Result of a training micro-batch: summed token loss, token count, adapter gradients of the sum. */
  public record Gradients(double lossSum, long tokens, LoraGradients grads) {}

  /**
   * Forward and backward of one micro-batch. The gradients are those of the <em>summed</em> token
   * losses so that micro-batches and workers can be combined exactly before dividing by the count.
   *
   * @param rng dropout randomness (null for no dropout)
   */
  public Gradients gradients(long[] ids, long[] labels, int batch, int seq, SplittableRandom rng) {
    try (MemoryWorkspace ws = StepMemory.open()) {
      return gradientsInScope(ids, labels, batch, seq, rng);
    }
  }

  private Gradients gradientsInScope(long[] ids, long[] labels, int batch, int seq, SplittableRandom rng) {
    Pass pass = Pass.of(cfg, batch, seq, rng);
    Deque<Object> tape = new ArrayDeque<>();
    Object[] finalNorm = new Object[1];
    INDArray hidden = forwardHidden(ids, pass, tape, finalNorm);
    INDArray logits = Nd4j.gemm(hidden, head, false, true); // [N, V]
    double cap = finalSoftcap();
    INDArray capTanh = null;
    if (cap > 0) {
      capTanh = logits;
      logits = Softcap.forwardInPlace(logits, cap);
    }
    CrossEntropy.Result ce = CrossEntropy.compute(logits, labels, batch, seq, true);
    INDArray dLogits = capTanh == null ? ce.dLogits() : Softcap.backward(ce.dLogits(), capTanh);
    LoraGradients grads = new LoraGradients();
    INDArray dHidden = Nd4j.gemm(dLogits, head, false, false); // [N, H]; no gradient for the frozen head
    INDArray dx = finalNormBackward(dHidden, finalNorm[0]);
    for (int i = blocks.size() - 1; i >= 0; i--) {
      dx = blocks.get(i).backward(dx, pass, tape, grads);
    }
    return new Gradients(ce.lossSum(), ce.tokens(), grads);
  }

  private INDArray forwardHidden(long[] ids, Pass pass, Deque<Object> tape, Object[] finalNorm) {
    if (ids.length != pass.rows()) {
      throw new IllegalArgumentException("Got " + ids.length + " token ids for a batch of " + pass.batch() + " × "
          + pass.seq() + ".");
    }
    cfg.checkSequenceLength(pass.seq());
    INDArray x = embed(ids, 0, pass.seq());
    for (DecoderBlock b : blocks) {
      x = b.forward(x, pass, tape);
    }
    return finalNorm(x, finalNorm);
  }

  /**
   * Token (and, for GPT-2, position) embeddings [N, H] of ids given as rows of {@code seq}
   * positions starting at position {@code first}; Gemma scales them by √hidden.
   */
  private INDArray embed(long[] ids, int first, int seq) {
    int[] rows = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= cfg.vocabSize()) {
        throw new IllegalArgumentException("Token id " + ids[i] + " is outside the model's vocabulary [0, "
            + cfg.vocabSize() + ").");
      }
      rows[i] = (int) ids[i];
    }
    INDArray x = Nd4j.pullRows(tokenEmbedding, 1, rows); // [N, H]
    if (cfg.decoder() != null && cfg.decoder().embeddingScale() != 1.0) {
      x.muli((float) cfg.decoder().embeddingScale()); // Gemma: × √hidden, rounded to the weights' float32
    }
    if (positionEmbedding != null) {
      int[] pos = new int[ids.length];
      for (int i = 0; i < pos.length; i++) {
        pos[i] = first + i % seq;
      }
      x.addi(Nd4j.pullRows(positionEmbedding, 1, pos));
    }
    return x;
  }

  private INDArray embed(long[] ids, int first) {
    return embed(ids, first, ids.length);
  }

  /** The final norm; fills {@code saved[0]} for backward when it is not null. */
  private INDArray finalNorm(INDArray x, Object[] saved) {
    if (cfg.architecture() == Architecture.GPT2) {
      LayerNorm.Saved[] s = saved == null ? null : new LayerNorm.Saved[1];
      x = LayerNorm.forward(x, finalNormGain, finalNormBias, cfg.normEps(), s);
      if (s != null) {
        saved[0] = s[0];
      }
      return x;
    }
    RmsNorm.Saved[] s = saved == null ? null : new RmsNorm.Saved[1];
    x = RmsNorm.forward(x, finalNormGain, cfg.normEps(), s);
    if (s != null) {
      saved[0] = s[0];
    }
    return x;
  }

  private INDArray finalNormBackward(INDArray dy, Object saved) {
    return saved instanceof LayerNorm.Saved ln
        ? LayerNorm.backward(dy, finalNormGain, ln)
        : RmsNorm.backward(dy, finalNormGain, (RmsNorm.Saved) saved);
  }

  private INDArray head(INDArray hidden) {
    INDArray logits = Nd4j.gemm(hidden, head, false, true); // [N, V]
    double cap = finalSoftcap();
    return cap > 0 ? Softcap.forwardInPlace(logits, cap) : logits;
  }

  private double finalSoftcap() {
    return cfg.decoder() == null ? 0 : cfg.decoder().finalSoftcap();
  }
}
