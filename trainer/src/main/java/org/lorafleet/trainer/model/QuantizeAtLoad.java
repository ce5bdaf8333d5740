package org.lorafleet.trainer.model;

import java.util.function.Consumer;
import org.lorafleet.trainer.nn.DenseWeight;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.lorafleet.trainer.quant.Quantizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Load-time quantisation of one layer weight, falling back to the dense form it cannot take. */
final class QuantizeAtLoad {

  private QuantizeAtLoad() {}

  /**
   * @param full the float32 weight as stored @param denseType the precision a weight that cannot be
   * quantised is kept in
   */
  static FrozenWeight orDense(String name, INDArray full, boolean inOut, LoadOptions options, DataType denseType,
      Consumer<String> notes) {
    Quantizer.Result r = Quantizer.tryQuantize(full, inOut, options.quantize(), options.doubleQuant());
    if (!r.fellBack()) {
      return r.weight();
    }
    DenseWeight dense = new DenseWeight(denseType == DataType.FLOAT ? full : full.castTo(denseType),
        options.bf16Kernels() && denseType == DataType.BFLOAT16);
    notes.accept("Keeping " + name + " " + java.util.Arrays.toString(full.shape()) + " in " + dense.form()
        + " instead of " + options.quantize().configName() + ": " + r.fallbackReason() + ".");
    return dense;
  }
}
