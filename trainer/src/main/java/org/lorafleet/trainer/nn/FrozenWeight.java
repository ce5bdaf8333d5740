package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen 2-D weight in its storage form: float32, bfloat16/float16 as in the checkpoint file, or
 * quantised (int8 per output channel, 4-bit groups). Kernels never hold a float32 copy longer than
 * one GEMM: they call {@link #toFloat()} inside a scratch scope ({@link Scratch}) so the copy is
 * dropped when the scope closes. Implementations are immutable and safe to share between threads.
 */
public interface FrozenWeight {

  /** Stored shape [rows, cols] (nn.Linear: [out, in]; GPT-2 Conv1D: [in, out]). */
  long[] shape();

  /**
   * The weight as float32 [rows, cols], C order. For a float32 weight this is the stored array
   * itself (do not modify it); otherwise a new array allocated in the active workspace.
   */
  INDArray toFloat();

  /** Bytes the stored form occupies (values plus scales and codebooks). */
  long bytes();

  /** The stored form as the config names it: float32, bfloat16, float16, int8, nf4, int4. */
  String form();
}
