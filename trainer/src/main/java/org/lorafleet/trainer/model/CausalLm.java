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
import org.lorafleet.trainer.nn.Scratch;
import org.lorafleet.trainer.nn.StepMemory;
import org.nd4j.linalg.api.buffer.DataType;
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

  private final HfModelConfig cfg;
  private final INDArray tokenEmbedding; // [V, H]
  private final INDArray positionEmbedding; // [P, H], GPT-2 only
  private final List<DecoderBlock> blocks;
  private final INDArray finalNormGain; // [H]
  private final INDArray finalNormBias; // [H], GPT-2 only
  private final LmHead head; // [V, H]
  private final Map<String, LoraLinear> linears = new LinkedHashMap<>();

  CausalLm(HfModelConfig cfg, INDArray tokenEmbedding, INDArray positionEmbedding, List<DecoderBlock> blocks,
      INDArray finalNormGain, INDArray finalNormBias, INDArray head, boolean bf16Head) {
    this.cfg = cfg;
    this.tokenEmbedding = tokenEmbedding;
    this.positionEmbedding = positionEmbedding;
    this.blocks = List.copyOf(blocks);
    this.finalNormGain = finalNormGain;
    this.finalNormBias = finalNormBias;
    this.head = new LmHead(head, cfg.decoder() == null ? 0 : cfg.decoder().finalSoftcap(), bf16Head);
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
        finalNormGain, finalNormBias, head.weight(), head.bf16Kernel());
  }

  /** Bytes of every frozen array (embeddings, head when not tied, norms, layer weights in their stored form). */
  public long weightBytes() {
    java.util.IdentityHashMap<Object, Boolean> seen = new java.util.IdentityHashMap<>();
    long total = 0;
    for (INDArray a : new INDArray[] {tokenEmbedding, positionEmbedding, finalNormGain, finalNormBias, head.weight()}) {
      if (a != null && seen.put(a, true) == null) {
        total += a.length() * a.dataType().width();
      }
    }
    for (DecoderBlock b : blocks) {
      total += b.frozenBytes();
    }
    return total;
  }

  public HfModelConfig config() {
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
      Pass pass = Pass.of(cfg, batch, seq, null);
      LmHead.Result r = head.loss(forwardHidden(ids, pass, null, null), CrossEntropy.targets(labels, batch, seq,
          cfg.vocabSize()), false);
      return new CrossEntropy.Result(r.lossSum(), r.tokens(), null);
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
    return gradients(ids, labels, batch, seq, rng, false);
  }

  /**
   * {@link #gradients(long[], long[], int, int, SplittableRandom)}, optionally with gradient
   * checkpointing (Chen et al., 2016): forward keeps only each block's input, and backward
   * recomputes one block at a time, so saved activations shrink from every block's intermediates to
   * one [B·T, H] array per block, for one more forward pass of compute. Same gradients either way.
   */
  public Gradients gradients(long[] ids, long[] labels, int batch, int seq, SplittableRandom rng,
      boolean checkpointBlocks) {
    try (MemoryWorkspace ws = StepMemory.open()) {
      return gradientsInScope(ids, labels, batch, seq, rng, checkpointBlocks);
    }
  }

  private Gradients gradientsInScope(long[] ids, long[] labels, int batch, int seq, SplittableRandom rng,
      boolean checkpointBlocks) {
    int[] targets = CrossEntropy.targets(labels, batch, seq, cfg.vocabSize());
    Pass pass = Pass.of(cfg, batch, seq, rng);
    long[] seeds = new long[blocks.size()];
    for (int i = 0; i < seeds.length && rng != null; i++) {
      seeds[i] = rng.nextLong();
    }
    Deque<Object> tape = new ArrayDeque<>();
    INDArray[] inputs = new INDArray[blocks.size()];
    Object[] finalNorm = new Object[1];
    checkIds(ids, pass);
    INDArray x = embed(ids, 0, pass.seq());
    for (int i = 0; i < blocks.size(); i++) {
      if (checkpointBlocks) {
        inputs[i] = x;
        x = inBlockScope(x, blocks.get(i), blockPass(pass, seeds[i]));
      } else {
        x = forwardKeepingSaved(x, blocks.get(i), blockPass(pass, seeds[i]), tape);
      }
    }
    INDArray hidden = finalNorm(x, finalNorm);
    LmHead.Result ce = head.loss(hidden, targets, true);
    LoraGradients grads = new LoraGradients();
    INDArray dx = finalNormBackward(ce.dHidden(), finalNorm[0]); // [N, H]; no gradient for the frozen head
    for (int i = blocks.size() - 1; i >= 0; i--) {
      boolean inputGrad = i > 0; // block 0's input is the frozen embedding: no one needs its gradient
      if (checkpointBlocks) {
        dx = recomputeBackward(inputs[i], dx, blocks.get(i), blockPass(pass, seeds[i]), grads, inputGrad);
      } else {
        dx = backwardInBlockScope(dx, blocks.get(i), pass, tape, grads, inputGrad);
      }
    }
    return new Gradients(ce.lossSum(), ce.tokens(), grads);
  }

  /**
   * The pass as a block sees it: its own dropout stream from a seed drawn from the pass's, so a block
   * run again in backward draws the same masks.
   */
  private static Pass blockPass(Pass pass, long seed) {
    return pass.rng() == null ? pass : pass.withRng(new SplittableRandom(seed));
  }

  /** A block's forward without saved state; its temporaries are dropped, only the output [N, H] is kept. */
  private static INDArray inBlockScope(INDArray x, DecoderBlock block, Pass p) {
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    try (MemoryWorkspace ws = Scratch.open(Scratch.Level.BLOCK)) {
      out.assign(block.forward(x, p, null));
    }
    return out;
  }

  /**
   * A block's forward in its own scratch scope: its output [N, H] and what it saved for backward
   * are moved out to the pass workspace, every other temporary is dropped.
   */
  private static INDArray forwardKeepingSaved(INDArray x, DecoderBlock block, Pass p, Deque<Object> tape) {
    MemoryWorkspace outer = Nd4j.getMemoryManager().getCurrentWorkspace();
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
    int before = tape.size();
    try (MemoryWorkspace ws = Scratch.open(Scratch.Level.BLOCK)) {
      out.assign(block.forward(x, p, tape));
      SavedState.moveOut(tape, tape.size() - before, ws, outer);
    }
    return out;
  }

  /** A block's backward whose temporaries are dropped once its dX [N, H] is out. */
  private static INDArray backwardInBlockScope(INDArray dy, DecoderBlock block, Pass p, Deque<Object> tape,
      LoraGradients grads, boolean inputGrad) {
    INDArray dx = inputGrad ? Nd4j.createUninitialized(dy.dataType(), dy.shape()) : null;
    try (MemoryWorkspace ws = Scratch.open(Scratch.Level.BLOCK)) {
      INDArray d = block.backward(dy, p, tape, grads, inputGrad);
      if (inputGrad) {
        dx.assign(d);
      }
    }
    return dx;
  }

  /** Runs a block's forward again, with its saved state, then its backward; returns dX [N, H]. */
  private static INDArray recomputeBackward(INDArray x, INDArray dy, DecoderBlock block, Pass p,
      LoraGradients grads, boolean inputGrad) {
    INDArray dx = inputGrad ? Nd4j.createUninitialized(dy.dataType(), dy.shape()) : null;
    try (MemoryWorkspace ws = Scratch.open(Scratch.Level.BLOCK)) {
      Deque<Object> tape = new ArrayDeque<>();
      block.forward(x, p, tape);
      INDArray d = block.backward(dy, p, tape, grads, inputGrad);
      if (inputGrad) {
        dx.assign(d);
      }
    }
    return dx;
  }

  private void checkIds(long[] ids, Pass pass) {
    if (ids.length != pass.rows()) {
      throw new IllegalArgumentException("Got " + ids.length + " token ids for a batch of " + pass.batch() + " × "
          + pass.seq() + ".");
    }
    cfg.checkSequenceLength(pass.seq());
  }

  private INDArray forwardHidden(long[] ids, Pass pass, Deque<Object> tape, Object[] finalNorm) {
    checkIds(ids, pass);
    INDArray x = embed(ids, 0, pass.seq());
    for (DecoderBlock b : blocks) {
      x = tape == null ? inBlockScope(x, b, pass) : b.forward(x, pass, tape);
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
    INDArray x = float32(Nd4j.pullRows(tokenEmbedding, 1, rows)); // [N, H]
    if (cfg.decoder() != null && cfg.decoder().embeddingScale() != 1.0) {
      x.muli((float) cfg.decoder().embeddingScale()); // Gemma: × √hidden, rounded to the weights' float32
    }
    if (positionEmbedding != null) {
      int[] pos = new int[ids.length];
      for (int i = 0; i < pos.length; i++) {
        pos[i] = first + i % seq;
      }
      x.addi(float32(Nd4j.pullRows(positionEmbedding, 1, pos)));
    }
    return x;
  }

  /** Half-precision rows upcast to float32 (exact for bfloat16). */
  private static INDArray float32(INDArray a) {
    DataType t = a.dataType();
    return t == DataType.FLOAT || t == DataType.DOUBLE ? a : a.castTo(DataType.FLOAT);
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
    return head.logits(hidden); // [N, V]
  }
}
