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

  /** A block sharing this one's frozen arrays, with fresh (adapter-less) linear layers. */
  DecoderBlock replica();

  /** x [B·T, H] → [B·T, H]. */
  INDArray forward(INDArray x, Pass pass, Deque<Object> tape);

  /** dY [B·T, H] → dX [B·T, H]; adds the adapter gradients into {@code grads}. */
  INDArray backward(INDArray dy, Pass pass, Deque<Object> tape, LoraGradients grads);
}
