package org.lorafleet.trainer.quant;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Off-heap byte arrays for quantised codes: detached from any workspace, so they live as long as the weight. */
final class Codes {

  private Codes() {}

  /** A new uninitialised 1-D array of {@code length} INT8 or UINT8 values. */
  static INDArray allocate(DataType type, int length) {
    return Nd4j.createUninitializedDetached(type, length);
  }
}
