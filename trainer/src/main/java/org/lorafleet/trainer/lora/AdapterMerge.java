package org.lorafleet.trainer.lora;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.checkpoint.HfCheckpointWriter;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.safetensors.DType;

/**
 * Folds an adapter into the base weights, as PEFT's {@code merge_and_unload}: nn.Linear weights
 * [out, in] become {@code W + scaling·B·A}; GPT-2 Conv1D weights [in, out] (fan_in_fan_out) become
 * {@code W + scaling·(B·A)ᵀ}.
 */
public final class AdapterMerge {

  private AdapterMerge() {}

  /** Every tensor of {@code base}, with the adapted weights merged; in the checkpoint's order. */
  public static Map<String, FloatTensor> mergedTensors(HfCheckpoint base, LoraAdapter adapter, boolean weightInOut) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (String name : base.tensorNames()) {
      out.put(name, base.tensor(name));
    }
    double scaling = adapter.settings().scaling();
    for (String module : adapter.modules()) {
      String key = weightKey(base, module);
      FloatTensor w = out.get(key);
      FloatTensor a = adapter.parameters().get(PeftNames.a(module)); // [r, in]
      FloatTensor b = adapter.parameters().get(PeftNames.b(module)); // [out, r]
      out.put(key, addDelta(w, a, b, scaling, weightInOut));
    }
    return out;
  }

  /**
   * Writes a full Hugging Face checkpoint to {@code dir} that loads as-is elsewhere: config,
   * merged weights in the base's dtypes (bf16/fp16 files stay bf16/fp16, rounded to nearest even),
   * tokenizer, generation config and chat template.
   */
  public static void writeMerged(HfCheckpoint base, LoraAdapter adapter, boolean weightInOut, Path dir) {
    Map<String, DType> dtypes = new LinkedHashMap<>();
    for (String name : base.tensorNames()) {
      DType d = base.dtype(name);
      if (d == DType.F16 || d == DType.BF16) {
        dtypes.put(name, d);
      }
    }
    HfCheckpointWriter.write(dir, base.config(), mergedTensors(base, adapter, weightInOut), dtypes,
        base.tokenizerPath());
  }

  private static String weightKey(HfCheckpoint base, String module) {
    return CausalLmLoader.weightKey(base, module);
  }

  static FloatTensor addDelta(FloatTensor w, FloatTensor a, FloatTensor b, double scaling, boolean weightInOut) {
    int r = (int) a.dim(0);
    int in = (int) a.dim(1);
    int out = (int) b.dim(0);
    float[] wd = w.data().clone();
    float[] ad = a.data();
    float[] bd = b.data();
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        double delta = 0;
        for (int k = 0; k < r; k++) {
          delta += (double) bd[o * r + k] * ad[k * in + i];
        }
        int idx = weightInOut ? i * out + o : o * in + i;
        wd[idx] += (float) (scaling * delta);
      }
    }
    return new FloatTensor(w.shape(), wd);
  }
}
