package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Replicas share frozen weights but not adapters, and run on two threads without interfering. */
class ReplicaTest {

  static List<Path> cases() {
    return ReferenceCases.all();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void replicasOnTwoThreadsMatchSequentialResults(Path caseDir) throws Exception {
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm base = CausalLmLoader.load(ck);
      CausalLm a = base.replica();
      CausalLm b = base.replica();
      LoraAdapter init = PeftAdapterFolder.load(caseDir.resolve("adapter-init"), a);
      LoraAdapter trained = PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), b);
      init.attachTo(a);
      trained.attachTo(b);
      long[] ids = new long[2 * 12];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (i * 7 + 3) % base.config().vocabSize();
      }
      float[] expectA = a.logits(ids, 2, 12).dup().data().asFloat();
      float[] expectB = b.logits(ids, 2, 12).dup().data().asFloat();
      assertFalse(java.util.Arrays.equals(expectA, expectB), "the two adapters differ");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 5; round++) {
          Future<float[]> fa = pool.submit(() -> a.logits(ids, 2, 12).dup().data().asFloat());
          Future<float[]> fb = pool.submit(() -> b.logits(ids, 2, 12).dup().data().asFloat());
          assertArrayEquals(expectA, fa.get());
          assertArrayEquals(expectB, fb.get());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
