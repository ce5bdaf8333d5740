package org.lorafleet.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.trainer.backend.NativeBuild;
import org.lorafleet.trainer.backend.NativeThreads;
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
 * Two workers in one executor JVM, as two Spark tasks of a 2-core executor run: two trainers of a
 * workload step at once on two threads. {@code shared} leaves ND4J's thread pools as wide as the
 * machine (each task's ops start a team of all cores); {@code split} gives each task its share
 * ({@link NativeThreads#limit}, what the Spark worker does). Prints the tokens/s of both together.
 * Usage: {@code SharedExecutorBenchmark W1|W2 shared|split [steps=20] [precision=fp32|bf16]}; run through
 * bench/threads-bench.sh.
 */
public final class SharedExecutorBenchmark {

  public static void main(String[] args) throws Exception {
    NativeBuild.select();
    Workload w = Workload.valueOf(args[0]);
    boolean split = args[1].equals("split");
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Precision precision = args.length > 3 ? Precision.parse(args[3]) : Precision.FP32;
    int tasks = 2;
    int threads = split ? Math.max(1, Runtime.getRuntime().availableProcessors() / tasks) : NativeThreads.current();
    final int perTask = threads;
    Path dir = Files.createTempDirectory("lorafleet-bench-" + w.name());
    w.writeCheckpoint(dir, 1234);
    System.gc();
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      List<LoraTrainer> trainers = new ArrayList<>();
      for (int t = 0; t < tasks; t++) {
        CausalLm model = CausalLmLoader.load(ck, LoadOptions.AUTO.withPrecision(precision));
        LoraAdapter adapter = LoraAdapter.initialise(model, LoraSettings.of(Workload.RANK, 16, w.targets), 1 + t);
        trainers.add(new LoraTrainer(model, adapter, new AdamW(AdamWSettings.withWeightDecay(0)), 1 + t));
      }
      List<Thread> running = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int t = 0; t < tasks; t++) {
        LoraTrainer trainer = trainers.get(t);
        SplittableRandom rng = new SplittableRandom(99 + t);
        Thread th = new Thread(() -> {
          NativeThreads.limit(perTask); // on the computing thread, as a Spark task does
          for (int s = 0; s < steps + 2; s++) { // the first two steps warm up inside the timed span for both
            trainer.step(List.of(randomBatch(rng, w.vocab())), 1e-4, 1.0);
          }
        });
        th.start();
        running.add(th);
      }
      for (Thread th : running) {
        th.join(); // blocks until the task's steps are done
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long tokens = (long) tasks * (steps + 2) * Workload.BATCH * Workload.SEQ;
      System.out.printf(Locale.ROOT, "RESULT %s precision=%s mode=%s threads_per_task=%d tokens_per_s=%.1f%n", w,
          precision.configName(), args[1], threads, tokens / secs);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static Batch randomBatch(SplittableRandom rng, int vocab) {
    long[] ids = new long[Workload.BATCH * Workload.SEQ];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(vocab);
    }
    return new Batch(ids, ids.clone(), Workload.BATCH, Workload.SEQ);
  }
}
