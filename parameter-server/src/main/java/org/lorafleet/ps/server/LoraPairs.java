package org.lorafleet.ps.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * Finds LoRA factor pairs among named tensors by PEFT naming: {@code <prefix>lora_A.weight} (shape
 * [r, in]) and {@code <prefix>lora_B.weight} (shape [out, r]) with the same prefix.
 */
public final class LoraPairs {

  static final String A_SUFFIX = "lora_A.weight";
  static final String B_SUFFIX = "lora_B.weight";

  private LoraPairs() {}

  /** One LoRA pair: the names of its factors and its rank. */
  public record Pair(String prefix, String aName, String bName, int rank, int in, int out) {}

  /**
   * The pairs in the order of their A factors. Throws if an A has no B (or the reverse) or their
   * shapes do not fit together.
   */
  public static List<Pair> find(Map<String, FloatTensor> tensors) {
    List<Pair> pairs = new ArrayList<>();
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      String name = e.getKey();
      if (name.endsWith(B_SUFFIX)) {
        String a = name.substring(0, name.length() - B_SUFFIX.length()) + A_SUFFIX;
        if (!tensors.containsKey(a)) {
          throw new IllegalArgumentException("LoRA factor '" + name + "' has no partner '" + a + "'.");
        }
      }
      if (!name.endsWith(A_SUFFIX)) {
        continue;
      }
      String prefix = name.substring(0, name.length() - A_SUFFIX.length());
      String bName = prefix + B_SUFFIX;
      FloatTensor a = e.getValue();
      FloatTensor b = tensors.get(bName);
      if (b == null) {
        throw new IllegalArgumentException("LoRA factor '" + name + "' has no partner '" + bName + "'.");
      }
      if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(1)) {
        throw new IllegalArgumentException("LoRA pair '" + prefix + "' has A of shape " + a.shapeString()
            + " and B of shape " + b.shapeString() + "; expected A [r, in] and B [out, r].");
      }
      pairs.add(new Pair(prefix, name, bName, (int) a.dim(0), (int) a.dim(1), (int) b.dim(0)));
    }
    return pairs;
  }
}
