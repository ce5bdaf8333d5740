package org.lorafleet.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.trainer.backend.NativeBuild;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.model.Precision;
import org.lorafleet.trainer.train.Batch;
import org.lorafleet.trainer.train.LoraTrainer;

/**
 * Trains the W1/W2 workloads of docs/benchmarks.md (batch 4 × 128 tokens, LoRA r=8, fp32, AdamW) for a number of
 * steps and prints tokens/s, peak RSS and RSS every 10 steps (to show it stays flat).
 * Usage: {@code TrainerBenchmark W1|W2 [steps=100] [warmup=3] [precision=fp32|bf16]}; run through
 * bench/trainer-bench.sh.
 */
public final class TrainerBenchmark {

  public static void main(String[] args) throws IOException {
    NativeBuild.select();
    Workload w = Workload.valueOf(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Precision precision = args.length > 3 ? Precision.parse(args[3]) : Precision.FP32;
    Path dir = Files.createTempDirectory("lorafleet-bench-" + w.name());
    w.writeCheckpoint(dir, 1234);
    // The random weights were made as Java arrays; collect them so the heap they grew does not count
    // as training memory (the CLI loads a model from files; the PyTorch peer makes them natively).
    System.gc();
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      CausalLm model = CausalLmLoader.load(ck, LoadOptions.AUTO.withPrecision(precision), System.out::println);
      LoraAdapter adapter = LoraAdapter.initialise(model, LoraSettings.of(Workload.RANK, 16, w.targets), 1);
      LoraTrainer trainer = new LoraTrainer(model, adapter, new AdamW(AdamWSettings.withWeightDecay(0)), 1);
      SplittableRandom rng = new SplittableRandom(99);
      System.out.printf(Locale.ROOT, "workload %s (%s, %s): %d LoRA tensors, rss after load %.0f MiB%n", w, w.title,
          precision.configName(), adapter.parameters().size(), Rss.currentMiB());
      for (int i = 0; i < warmup; i++) {
        trainer.step(List.of(randomBatch(rng, w.vocab())), 1e-4, 1.0);
      }
      long tokens = 0;
      long t0 = System.nanoTime();
      double firstLoss = 0;
      double lastLoss = 0;
      for (int s = 1; s <= steps; s++) {
        var r = trainer.step(List.of(randomBatch(rng, w.vocab())), 1e-4, 1.0);
        tokens += (long) Workload.BATCH * Workload.SEQ;
        lastLoss = r.loss();
        firstLoss = s == 1 ? r.loss() : firstLoss;
        if (s % 10 == 0) {
          double secs = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "  step %3d  loss %.4f  %.1f tokens/s  rss %.0f MiB%n", s, r.loss(),
              tokens / secs, Rss.currentMiB());
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "RESULT %s precision=" + precision.configName() + " tokens_per_s=%.1f step_ms=%.0f peak_rss_mib=%.0f loss_first=%.4f "
          + "loss_last=%.4f steps=%d%n", w, tokens / secs, 1000 * secs / steps, Rss.peakMiB(), firstLoss, lastLoss, steps);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Random tokens; labels equal the inputs (every position trains), as in the PyTorch peer. */
  private static Batch randomBatch(SplittableRandom rng, int vocab) {
    long[] ids = new long[Workload.BATCH * Workload.SEQ];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(vocab);
    }
    return new Batch(ids, ids.clone(), Workload.BATCH, Workload.SEQ);
  }
}
