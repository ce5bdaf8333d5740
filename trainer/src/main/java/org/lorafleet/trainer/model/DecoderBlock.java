package org.lorafleet.trainer.model;

import java.util.Deque;
import java.util.List;
import org.lorafleet.trainer.nn.LoraGradients;
import org.lorafleet.trainer.nn.LoraLinear;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer layer with a hand-written backward pass. Forward pushes what backward needs onto
 * {@code tape} (when not null); backward pops it, so blocks run backward in reverse order.
 */
public interface DecoderBlock {

  /** The block's linear layers, which LoRA may target. */
  List<LoraLinear> linears();

  /** Bytes of the block's frozen linear weights and biases in their stored form (norm gains, H values each, left out). */
  default long frozenBytes() {
    return linears().stream().mapToLong(LoraLinear::frozenBytes).sum();
  }

  /** A block sharing this one's frozen arrays, with fresh (adapter-less) linear layers. */
  DecoderBlock replica();

  /** x [B·T, H] → [B·T, H]. */
  INDArray forward(INDArray x, Pass pass, Deque<Object> tape);

  /**
   * Generation step of one sequence: x [n, H] of the positions after those in the cache → [n, H];
   * appends this layer's keys and values to the cache (layer index {@code layer}). No gradients.
   */
  INDArray forwardCached(INDArray x, int layer, CachedPass pass);

  /** dY [B·T, H] → dX [B·T, H]; adds the adapter gradients into {@code grads}. */
  default INDArray backward(INDArray dy, Pass pass, Deque<Object> tape, LoraGradients grads) {
    return backward(dy, pass, tape, grads, true);
  }

  /**
   * As above; without {@code inputGrad} (the first block, whose input is the frozen embedding) dX is not
   * formed and null is returned, which skips the input-side GEMMs and norm backward.
   */
  INDArray backward(INDArray dy, Pass pass, Deque<Object> tape, LoraGradients grads, boolean inputGrad);
}
