package org.lorafleet.trainer.memory;

import java.util.ArrayList;
import java.util.List;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.quant.Quantization;
import org.lorafleet.trainer.quant.Quantizer;
import org.lorafleet.trainer.safetensors.DType;

/**
 * The frozen base's bytes as the loader will hold them, computed from the checkpoint's headers
 * (no tensor data is read): decoder-layer linear weights quantised or in the held dtype, embeddings
 * and head in the held dtype, 1-D tensors (norms, biases) in float32.
 *
 * @param total bytes of every tensor the model uses
 * @param largestLayerWeight float32 bytes of the largest layer weight (its widened copy during a GEMM)
 * @param linearModules decoder-layer linear modules (file names without ".weight") with their [rows, cols]
 * @param halfHead the vocabulary head is held in 2-byte floats (so the loss widens it slice by slice)
 */
public record WeightBytes(long total, long largestLayerWeight, List<Linear> linearModules, boolean halfHead) {

  /** A decoder-layer linear weight: module name as in the file and its stored shape. */
  public record Linear(String module, long rows, long cols) {}

  public static WeightBytes of(HfCheckpoint ck, LoadOptions options) {
    long total = 0;
    long largest = 0;
    long biggestOther = 0;
    boolean halfHead = false;
    List<Linear> linears = new ArrayList<>();
    for (String name : ck.tensorNames()) {
      if (name.contains("vision_tower") || name.contains("multi_modal_projector")) {
        continue; // not loaded: only the text decoder runs
      }
      long[] shape = ck.shape(name);
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      DType file = ck.dtype(name);
      int held = heldWidth(options, file);
      if (shape.length != 2) {
        total += 4 * n; // norms and biases stay float32
        continue;
      }
      boolean layer = name.endsWith(".weight") && (name.contains("layers.") || name.contains("h."));
      if (!layer) {
        total += held * n; // embeddings, position table, head
        if (n > biggestOther) {
          biggestOther = n;
          halfHead = held == 2;
        }
        continue;
      }
      linears.add(new Linear(name.substring(0, name.length() - ".weight".length()), shape[0], shape[1]));
      largest = Math.max(largest, 4 * n);
      boolean inOut = ck.has("transformer.wte.weight") || ck.has("wte.weight"); // GPT-2 Conv1D: [in, out]
      if (options.quantize() != Quantization.NONE
          && Quantizer.unsupportedReason(shape, inOut, options.quantize()) == null) {
        total += quantisedBytes(shape, inOut, options.quantize(), options.doubleQuant());
      } else {
        total += held * n;
      }
    }
    return new WeightBytes(total, largest, List.copyOf(linears), halfHead);
  }

  private static int heldWidth(LoadOptions options, DType file) {
    return switch (options.dtype()) {
      case FLOAT32 -> 4;
      case BFLOAT16, FLOAT16 -> 2;
      case AUTO -> file == DType.BF16 || file == DType.F16 ? 2 : 4;
    };
  }

  /** Codes + scales (+ zero points, + double-quantisation state) of one weight, as the quant formats store them. */
  static long quantisedBytes(long[] shape, boolean inOut, Quantization mode, boolean doubleQuant) {
    long n = shape[0] * shape[1];
    long out = inOut ? shape[1] : shape[0];
    long groups = n / Quantizer.GROUP_SIZE;
    return switch (mode) {
      case INT8 -> n + 4 * out;
      case NF4 -> (n + 1) / 2 + scaleBytes(groups, doubleQuant);
      case INT4 -> (n + 1) / 2 + scaleBytes(groups, doubleQuant) + groups;
      case NONE -> throw new IllegalArgumentException("NONE is not a quantised form.");
    };
  }

  private static long scaleBytes(long groups, boolean doubleQuant) {
    return doubleQuant ? groups + 4 * ((groups + 255) / 256) + 4 : 4 * groups;
  }
}
