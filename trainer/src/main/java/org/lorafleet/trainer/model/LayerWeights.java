package org.lorafleet.trainer.model;

import java.util.function.Consumer;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.nn.DenseWeight;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.lorafleet.trainer.quant.Quantization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads a decoder layer's frozen linear weight in the form the load options ask for. */
final class LayerWeights {

  private LayerWeights() {}

  /**
   * @param inOut the stored layout is [in, out] (GPT-2 Conv1D) rather than [out, in]
   * @param notes receives a sentence when the tensor cannot take the requested quantisation
   */
  static FrozenWeight read(HfCheckpoint ck, String name, boolean inOut, LoadOptions options, Consumer<String> notes) {
    DataType type = options.dtype().arrayType(ck.dtype(name));
    if (options.quantize() == Quantization.NONE) {
      return new DenseWeight(StoredTensors.read(ck, name, type), options.bf16Kernels() && type == DataType.BFLOAT16);
    }
    INDArray full = StoredTensors.read(ck, name, DataType.FLOAT);
    return QuantizeAtLoad.orDense(name, full, inOut, options, type, notes);
  }
}
