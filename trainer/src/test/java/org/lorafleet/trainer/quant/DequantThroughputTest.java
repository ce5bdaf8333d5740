package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prints how fast a 4864×896 weight (Qwen2-0.5B's MLP) dequantises, per mode and layout, on 1
 * and on {@link Dequant#THREADS} threads; asserts nothing about time. A few seconds.
 */
@Tag("slow")
class DequantThroughputTest {

  private static final int OUT = 4864;
  private static final int IN = 896;
  private static final int REPS = 6;
  private static final int WARMUP = 6;

  @Test
  void printDequantisationThroughput() {
    INDArray outIn = QuantTestData.array(QuantTestData.gaussian(OUT * IN, 61), OUT, IN); // [out, in]
    INDArray inOut = outIn.transpose().dup('c'); // [in, out]
    WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(4L * OUT * IN + (1 << 20)).build();
    StringBuilder report = new StringBuilder("Dequantising a [" + OUT + ", " + IN + "] weight (ms per toFloat, GB/s of float32 out):\n");
    INDArray bf16 = outIn.castTo(DataType.BFLOAT16);
    report.append(line("bfloat16 → float32 castTo (reference)", time(() -> bf16.castTo(DataType.FLOAT), config), 0));
    for (Quantization mode : new Quantization[] {Quantization.INT8, Quantization.NF4, Quantization.INT4}) {
      for (boolean dq : mode.grouped() ? new boolean[] {false, true} : new boolean[] {false}) {
        for (boolean layoutInOut : new boolean[] {false, true}) {
          long t0 = System.nanoTime();
          FrozenWeight q = Quantizer.quantize(layoutInOut ? inOut : outIn, layoutInOut, mode, dq);
          double quantMs = (System.nanoTime() - t0) / 1e6;
          String name = String.format(Locale.ROOT, "%s%s %s (quantise %.0f ms)", mode.configName(), dq ? "+dq" : "",
              layoutInOut ? "[in, out]" : "[out, in]", quantMs);
          report.append(line(name, timeWeight(q, config, 1), timeWeight(q, config, Dequant.THREADS)));
        }
      }
    }
    System.out.print(report);
    assertTrue(report.length() > 0);
  }

  private interface Source {
    INDArray get();
  }

  private static double timeWeight(FrozenWeight q, WorkspaceConfiguration config, int threads) {
    Source s;
    if (q instanceof Int8Weight w) {
      s = () -> w.toFloat(threads);
    } else if (q instanceof Nf4Weight w) {
      s = () -> w.toFloat(threads);
    } else {
      s = () -> ((Int4Weight) q).toFloat(threads);
    }
    return time(s, config);
  }

  /** Best milliseconds of REPS calls inside a workspace, after warm-up. */
  private static double time(Source s, WorkspaceConfiguration config) {
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < WARMUP + REPS; rep++) {
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "quant-bench")) {
        long t0 = System.nanoTime();
        INDArray f = s.get();
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(f.length() == (long) OUT * IN);
        if (rep >= WARMUP) {
          best = Math.min(best, ms);
        }
      }
    }
    return best;
  }

  private static String line(String name, double oneThread, double threads) {
    double gb = 4.0 * OUT * IN / 1e9;
    return String.format(Locale.ROOT, "  %-40s 1 thread %6.2f ms (%5.2f GB/s)%s%n", name, oneThread, gb / (oneThread / 1e3),
        threads > 0 ? String.format(Locale.ROOT, "   %d threads %6.2f ms (%5.2f GB/s)", Dequant.THREADS, threads,
            gb / (threads / 1e3)) : "");
  }
}
