package org.lorafleet.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.KvCache;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/**
 * Logits from the KV cache (prompt fed at once, then one token at a time) equal those of the full
 * causal forward at every position, for every family (sliding windows and per-layer RoPE included).
 */
class KvCacheTest {

  static List<Path> cases() {
    return ReferenceCases.all();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void cachedLogitsEqualTheFullForward(Path caseDir) {
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model).attachTo(model);
      int v = model.config().vocabSize();
      int len = 28;
      long[] ids = new long[len];
      for (int i = 0; i < len; i++) {
        ids[i] = (i * 37L + 11) % v;
      }
      // dynamic and LongRoPE tables depend on the sequence length in use, so (as in transformers) cached
      // keys keep the rotation of their step: compare within the context, where the tables do not change
      // (TextGenerator re-feeds the sequence when LongRoPE switches, as transformers' Phi-3 does)
      int comparable = len;
      if (model.config().decoder() != null) {
        for (var r : model.config().decoder().rope().values()) {
          if (r.type().equals("dynamic")) {
            comparable = Math.min(comparable, r.maxPositions());
          } else if (r.type().equals("longrope")) {
            comparable = Math.min(comparable, r.originalMaxPositions());
          }
        }
      }
      float[] full = model.logits(Arrays.copyOf(ids, comparable), 1, comparable).dup().data().asFloat(); // [T, V]
      KvCache cache = model.newCache(len);
      int prompt = 5;
      float[] cached = model.nextTokenLogits(Arrays.copyOf(ids, prompt), cache);
      for (int pos = prompt - 1; pos < comparable; pos++) {
        if (pos >= prompt) {
          cached = model.nextTokenLogits(new long[] {ids[pos]}, cache);
        }
        float[] ref = Arrays.copyOfRange(full, pos * v, (pos + 1) * v);
        double num = 0;
        double den = 0;
        for (int j = 0; j < v; j++) {
          num += (cached[j] - ref[j]) * (double) (cached[j] - ref[j]);
          den += ref[j] * (double) ref[j];
        }
        double rel = Math.sqrt(num / den);
        assertTrue(rel < 1e-5, ReferenceCases.name(caseDir) + " position " + pos + ": relative error " + rel);
      }
      assertEquals(Math.max(prompt, comparable), cache.length());
    }
  }
}
