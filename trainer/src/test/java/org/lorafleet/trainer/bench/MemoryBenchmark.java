package org.lorafleet.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.lorafleet.trainer.memory.MemoryEstimate;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.HfModelConfig;
import org.lorafleet.trainer.model.HfModelConfigReader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.model.Precision;
import org.lorafleet.trainer.quant.Quantization;
import org.lorafleet.trainer.train.Batch;
import org.lorafleet.trainer.train.LoraTrainer;

/**
 * The memory benchmark (W3, W4): writes a model shape with random bf16 weights as a Hugging Face
 * folder, then trains LoRA on it in one base form and prints peak RSS, tokens/s and the memory
 * estimate for the same settings. One mode per JVM, so each peak is that mode's alone.
 *
 * <pre>
 *   MemoryBenchmark write DIR W3|W4|tiny|tiny-llama
 *   MemoryBenchmark run DIR W3|W4|tiny|tiny-llama fp32|bf16|int8|nf4 plain|ckpt [steps]
 *   MemoryBenchmark estimate DIR W3|W4|tiny|tiny-llama      (the estimate of every mode, no training)
 * </pre>
 *
 * Run through bench/memory-bench.sh, which also runs the PyTorch peer on the same shapes.
 */
public final class MemoryBenchmark {

  public static void main(String[] args) throws IOException {
    NativeBuild.select();
    if (args.length < 3) {
      throw new IllegalArgumentException("Usage: MemoryBenchmark write DIR WORKLOAD | run DIR WORKLOAD MODE plain|ckpt "
          + "[steps]");
    }
    Path dir = Path.of(args[1]);
    MemoryWorkload w = MemoryWorkload.parse(args[2]);
    switch (args[0]) {
      case "write" -> write(dir, w);
      case "estimate" -> estimate(dir, w);
      case "run" -> run(dir, w, mode(args[3]), args[4].equals("ckpt"),
          args.length > 5 ? Integer.parseInt(args[5]) : w.defaultSteps, args[3] + "+" + args[4]);
      default -> throw new IllegalArgumentException("Unknown subcommand '" + args[0] + "'; choose write or run.");
    }
  }

  static LoadOptions mode(String name) {
    return switch (name) {
      case "fp32" -> LoadOptions.FLOAT32;
      case "bf16" -> new LoadOptions(BaseDType.BFLOAT16, Quantization.NONE);
      case "bf16mm" -> new LoadOptions(BaseDType.BFLOAT16, Quantization.NONE, false, Precision.BF16);
      case "int8" -> new LoadOptions(BaseDType.AUTO, Quantization.INT8);
      case "nf4" -> new LoadOptions(BaseDType.AUTO, Quantization.NF4);
      default -> throw new IllegalArgumentException("Unknown mode '" + name + "'; choose fp32, bf16, bf16mm (train.precision bf16), int8 or nf4.");
    };
  }

  private static void run(Path dir, MemoryWorkload w, LoadOptions options, boolean checkpointing, int steps,
      String label) {
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      LoraSettings lora = LoraSettings.of(MemoryWorkload.RANK, MemoryWorkload.ALPHA, MemoryWorkload.TARGETS);
      HfModelConfig cfg = HfModelConfigReader.read(ck.config(), HfCheckpoint.CONFIG);
      MemoryEstimate estimate = MemoryEstimate.of(ck, cfg, options, lora, w.batch, w.seq, checkpointing, 1,
          MemoryEstimate.PLAIN_JVM_BASELINE);
      long t0 = System.nanoTime();
      CausalLm model = CausalLmLoader.load(ck, options);
      double loadSecs = (System.nanoTime() - t0) / 1e9;
      LoraAdapter adapter = LoraAdapter.initialise(model, lora, 1);
      LoraTrainer trainer = new LoraTrainer(model, adapter, new AdamW(AdamWSettings.withWeightDecay(0)), 1,
          checkpointing);
      System.out.printf(Locale.ROOT, "%s, %s: loaded in %.1f s, rss %.0f MiB; %s%n", w.describe(), label, loadSecs,
          Rss.currentMiB(), estimate.describe());
      SplittableRandom rng = new SplittableRandom(99);
      long tokens = 0;
      long timed = 0;
      for (int s = 1; s <= steps; s++) {
        long start = System.nanoTime();
        var report = trainer.step(List.of(randomBatch(rng, w)), 1e-4, 1.0);
        long took = System.nanoTime() - start;
        if (s > 1 || steps == 1) { // the first step pays for workspace growth and JIT
          timed += took;
          tokens += (long) w.batch * w.seq;
        }
        System.out.printf(Locale.ROOT, "  step %d  loss %.4f  %.1f s  rss %.0f MiB%n", s, report.loss(), took / 1e9,
            Rss.currentMiB());
      }
      System.out.printf(Locale.ROOT, "RESULT workload=%s impl=lorafleet mode=%s tokens_per_s=%.1f peak_rss_mib=%.0f "
              + "estimate_mib=%.0f weights_mib=%.0f steps=%d%n", w.cliName(), label, tokens / (timed / 1e9),
          Rss.peakMiB(), estimate.total() / 1048576.0, model.weightBytes() / 1048576.0, steps);
    }
  }

  private static void estimate(Path dir, MemoryWorkload w) {
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      LoraSettings lora = LoraSettings.of(MemoryWorkload.RANK, MemoryWorkload.ALPHA, MemoryWorkload.TARGETS);
      HfModelConfig cfg = HfModelConfigReader.read(ck.config(), HfCheckpoint.CONFIG);
      for (String mode : List.of("fp32", "bf16", "int8", "nf4")) {
        for (boolean ckpt : List.of(false, true)) {
          MemoryEstimate e = MemoryEstimate.of(ck, cfg, mode(mode), lora, w.batch, w.seq, ckpt, 1,
              MemoryEstimate.PLAIN_JVM_BASELINE);
          System.out.printf(Locale.ROOT, "ESTIMATE workload=%s mode=%s+%s estimate_mib=%.0f%n", w.cliName(), mode,
              ckpt ? "ckpt" : "plain", e.total() / 1048576.0);
        }
      }
    }
  }

  /** Random tokens; labels equal the inputs (every position trains), as in the PyTorch peer. */
  private static Batch randomBatch(SplittableRandom rng, MemoryWorkload w) {
    long[] ids = new long[w.batch * w.seq];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(w.vocab);
    }
    return new Batch(ids, ids.clone(), w.batch, w.seq);
  }

  /**
   * Writes config.json and model.safetensors (bf16, N(0, 0.02) weights, ones for norm gains, zero-
   * mean random biases) streaming tensor by tensor, so a 1B model never sits in the heap.
   */
  static void write(Path dir, MemoryWorkload w) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(HfCheckpoint.CONFIG).toFile(), w.config());
    List<MemoryWorkload.Tensor> tensors = w.tensors();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (MemoryWorkload.Tensor t : tensors) {
      ObjectNode e = header.putObject(t.name());
      e.put("dtype", "BF16");
      var shape = e.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      e.putArray("data_offsets").add(offset).add(offset + 2 * t.elements());
      offset += 2 * t.elements();
    }
    byte[] head = json.writeValueAsBytes(header);
    int padded = (head.length + 7) / 8 * 8; // the format allows trailing spaces; 8-byte alignment as safetensors writes
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(head, 0, headerBytes, 0, head.length);
    Path tmp = dir.resolve(HfCheckpoint.WEIGHTS + ".tmp");
    SplittableRandom rng = new SplittableRandom(1234);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      byte[] chunk = new byte[1 << 20];
      for (MemoryWorkload.Tensor t : tensors) {
        long left = t.elements();
        while (left > 0) {
          int n = (int) Math.min(left, chunk.length / 2);
          for (int i = 0; i < n; i += 2) {
            // Box–Muller: two normals per pair of uniforms
            double u = 1 - rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u)) * MemoryWorkload.STD;
            double a = 2 * Math.PI * rng.nextDouble();
            putBf16(chunk, i, t.ones() ? 1f : (float) (r * Math.cos(a)));
            if (i + 1 < n) {
              putBf16(chunk, i + 1, t.ones() ? 1f : (float) (r * Math.sin(a)));
            }
          }
          out.write(chunk, 0, 2 * n);
          left -= n;
        }
      }
    }
    Files.move(tmp, dir.resolve(HfCheckpoint.WEIGHTS), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.printf(Locale.ROOT, "wrote %s: %s, %.0f MiB of bf16 weights%n", dir, w.describe(),
        offset / 1048576.0);
  }

  /** bfloat16 = the upper 16 bits of the float, rounded to nearest even; little-endian. */
  private static void putBf16(byte[] buf, int index, float v) {
    int bits = Float.floatToRawIntBits(v);
    int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    buf[2 * index] = (byte) rounded;
    buf[2 * index + 1] = (byte) (rounded >>> 8);
  }
}
