package org.lorafleet.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.quant.Quantization;

/**
 * The memory benchmark's streamed bf16 checkpoints (at toy size) load in every form, and a bf16 file
 * held as float32 (widened in place in native memory) computes exactly what it computes held as
 * bf16: the same values, so the same loss to the last bit.
 */
class BenchCheckpointTest {

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(value = MemoryWorkload.class, names = {"TINY", "TINY_LLAMA"})
  void aBf16FileHeldAsFloat32ComputesExactlyAsHeldAsBf16(MemoryWorkload w) throws IOException {
    Path dir = tmp.resolve(w.cliName());
    MemoryBenchmark.write(dir, w);
    long[] ids = new long[w.seq];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 37L + 11) % w.vocab;
    }
    double[] loss = new double[3];
    long[] bytes = new long[3];
    LoadOptions[] forms = {LoadOptions.FLOAT32, new LoadOptions(BaseDType.AUTO, Quantization.NONE),
        new LoadOptions(BaseDType.AUTO, Quantization.NF4)};
    for (int k = 0; k < forms.length; k++) {
      try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
        assertEquals(w.tensors().size(), ck.tensorNames().size());
        CausalLm model = CausalLmLoader.load(ck, forms[k]);
        var r = model.loss(ids, ids, 1, w.seq);
        loss[k] = r.lossSum() / r.tokens();
        bytes[k] = model.weightBytes();
      }
    }
    assertEquals(loss[0], loss[1], 0.0, "float32-held vs bf16-held loss");
    assertTrue(bytes[0] > 1.95 * bytes[1] && bytes[0] <= 2 * bytes[1], "float32 holds twice the bytes of bf16 "
        + "(norms are float32 in both): " + bytes[0] + " vs " + bytes[1]);
    assertTrue(Math.abs(loss[2] - loss[0]) < 0.05 * loss[0] && loss[2] != loss[0], "nf4 is close, not equal: "
        + loss[2] + " vs " + loss[0]);
    assertEquals(Math.log(w.vocab), loss[0], 0.5, "random N(0, 0.02) weights predict about uniformly");
  }
}
