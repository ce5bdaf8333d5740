package org.lorafleet.trainer.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.lora.TargetMatcher;
import org.lorafleet.trainer.model.HfModelConfig;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.nn.ChunkSizes;

/**
 * Predicted peak memory of one JVM training with {@code workers} task threads (an executor, or the
 * local JVM), in bytes:
 *
 * <pre>
 *   total = baseline + weights + workers × (adapter + activations + scratch)
 *   adapter     = 20 B × LoRA parameters          (values, gradient, 2 AdamW moments, pulled copy)
 *   activations = 4 B × N × (L × s_layer + S × f_block + f_head)           N = micro_batch × seq rows
 *                 with gradient checkpointing: 4 B × N × (L × 2H + s_layer + S × f_block + f_head)
 *   s_layer     = 5H + 3q + 2kv + 2I + heads + r × (adapted linears per layer)
 *                 what one block saves for backward per row: the norms' x̂ and normed outputs, the
 *                 block output, q k v, the attention output and o_proj's copy of it, the log-sum-exp,
 *                 the gate and up projections (the activation is recomputed), u = x·Aᵀ per adapter
 *   f_block     = 4H + 3(q + 2kv) + 2(q + kv) + 2q + 5I   what one block's forward or backward allocates
 *   f_head      = 4H
 *   scratch     = 4 B × (6 × attention chunk + 3 × logit chunk [+ head slice]) + widened layer weight
 *                 (bf16 kernels: no head slice, no widened dense weight, + 2 B × logit chunk)
 * </pre>
 *
 * Each block's forward runs in a scratch scope from which only its saved state leaves, and each
 * backward in the same scope, so one block's temporaries exist at a time: S = {@value #BLOCK_SCRATCH}
 * f_block covers that scope (sized by its largest use, the backward, plus over-allocation). With
 * checkpointing each layer keeps its input and its dX, and one block is recomputed. S was fitted
 * with glibc's MALLOC_MMAP_THRESHOLD_=131072 (as the launcher and executors run) on stories260K at
 * 1,024–2,048 tokens and on the W3 benchmark shape (Qwen2.5-0.5B, 1,024 tokens), where the estimate
 * is within 13% of the measured peak (docs/benchmarks.md, "Memory"). The baseline is the JVM with
 * ND4J (and Spark) before any
 * model: {@link #SPARK_JVM_BASELINE} for a job JVM.
 */
public record MemoryEstimate(long baseline, long weights, long adapterPerWorker, long activationsPerWorker,
    long scratchPerWorker, int workers) {

  /** A Spark driver/executor JVM with ND4J loaded, before any model (fitted, see the class doc). */
  public static final long SPARK_JVM_BASELINE = 540L << 20;
  /** A plain JVM with ND4J loaded (the trainer benchmarks). */
  public static final long PLAIN_JVM_BASELINE = 300L << 20;
  /** The block scratch scope, in units of f_block (fitted, see the class doc). */
  static final double BLOCK_SCRATCH = 3.4;

  /** Bytes of everything. */
  public long total() {
    return baseline + weights + workers * perWorker();
  }

  /** Bytes one worker thread adds. */
  public long perWorker() {
    return adapterPerWorker + activationsPerWorker + scratchPerWorker;
  }

  /**
   * @param ck the base (headers only are read) @param cfg its parsed config.json
   * @param lora LoRA shape and targets (for the adapter's size)
   */
  public static MemoryEstimate of(HfCheckpoint ck, HfModelConfig cfg, LoadOptions options, LoraSettings lora,
      int microBatch, int seq, boolean checkpointing, int workers, long baseline) {
    WeightBytes w = WeightBytes.of(ck, options);
    List<String> modules = new ArrayList<>();
    w.linearModules().forEach(l -> modules.add(l.module()));
    List<String> targeted = modules.isEmpty() ? List.of() : TargetMatcher.select(modules, lora);
    long loraParams = 0;
    int adapted = 0;
    for (WeightBytes.Linear l : w.linearModules()) {
      if (targeted.contains(l.module())) {
        loraParams += (long) lora.r() * (l.rows() + l.cols());
        adapted++;
      }
    }
    long rows = (long) microBatch * seq;
    double h = cfg.hidden();
    double q = cfg.qDim();
    double kv = cfg.kvDim();
    double saved = 5 * h + 3 * q + 2 * kv + 2 * cfg.intermediate() + cfg.heads()
        + lora.r() * (adapted / (double) Math.max(1, cfg.layers()));
    double block = 4 * h + 3 * (q + 2 * kv) + 2 * (q + kv) + 2 * q + 5 * cfg.intermediate();
    double head = 4 * h;
    double perRow = (checkpointing ? cfg.layers() * 2 * h + saved : cfg.layers() * saved) + BLOCK_SCRATCH * block
        + head;
    long activations = (long) (4 * rows * perRow);
    long attentionChunk = Math.min(ChunkSizes.attention(), (long) microBatch * cfg.heads() * seq * (long) seq);
    boolean sliced = w.halfHead() && !options.bf16Kernels(); // the bf16 kernel multiplies the whole head
    long headSliceRows = sliced ? Math.min(cfg.vocabSize(), Math.max(1, ChunkSizes.headSlice() / cfg.hidden()))
        : cfg.vocabSize();
    long logitChunk = ChunkSizes.logitRows(rows, headSliceRows) * headSliceRows;
    boolean widens = !options.equals(LoadOptions.FLOAT32) && !(options.bf16Kernels()
        && options.quantize() == org.lorafleet.trainer.quant.Quantization.NONE); // a layer weight upcast per GEMM
    long scratch = 4 * (6 * attentionChunk + 3 * logitChunk + (sliced ? ChunkSizes.headSlice() : 0))
        + (options.bf16Kernels() ? 2 * logitChunk : 0) // the logits' gradient rounded to bf16 for dh = dz·W
        + (widens ? w.largestLayerWeight() : 0);
    return new MemoryEstimate(baseline, w.total(), 20 * loraParams, activations, scratch, workers);
  }

  /** A few lines for the console, in MiB. */
  public String describe() {
    return String.format(Locale.ROOT, "Memory estimate per JVM: %s MiB = JVM %s + frozen base %s + %d worker(s) × %s "
            + "(adapter and optimizer %s, activations %s, scratch %s).", mib(total()), mib(baseline), mib(weights),
        workers, mib(perWorker()), mib(adapterPerWorker), mib(activationsPerWorker), mib(scratchPerWorker));
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,.0f", bytes / 1048576.0);
  }
}
