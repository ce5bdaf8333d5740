package org.lorafleet.orchestrator.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.trainer.train.Batch;

/**
 * One worker's training sequences in global order. Step {@code s}, micro-batch {@code j} reads the
 * worker's sequences {@code [(s·g + j)·b, (s·g + j + 1)·b)}, wrapping around at the end (later
 * epochs repeat the same order). With the round-robin assignment of {@link TrainPlan#workerOf},
 * N workers × micro-batch b see exactly the sequences 1 worker × N·b sees at each step.
 */
final class WorkerData {

  private final List<TokenSequence> sequences;
  private final int microBatch;
  private final int gradAccum;

  WorkerData(Iterator<TokenSequence> partition, int microBatch, int gradAccum) {
    List<TokenSequence> list = new ArrayList<>();
    partition.forEachRemaining(list::add);
    list.sort(Comparator.comparingLong(TokenSequence::index));
    if (list.isEmpty()) {
      throw new IllegalStateException("This worker received no training sequence; the data set is too small for "
          + "distributed.workers × train.micro_batch_size × train.grad_accum.");
    }
    this.sequences = list;
    this.microBatch = microBatch;
    this.gradAccum = gradAccum;
  }

  /** The g micro-batches of the worker's {@code position}-th step (its own count in async mode). */
  List<Batch> step(long position) {
    List<Batch> out = new ArrayList<>(gradAccum);
    for (int j = 0; j < gradAccum; j++) {
      out.add(batch((position * gradAccum + j) * microBatch));
    }
    return out;
  }

  private Batch batch(long start) {
    int seq = sequences.get(0).inputIds().length;
    long[] ids = new long[microBatch * seq];
    long[] labels = new long[microBatch * seq];
    for (int i = 0; i < microBatch; i++) {
      TokenSequence s = sequences.get((int) ((start + i) % sequences.size()));
      if (s.inputIds().length != seq) {
        throw new IllegalStateException("Training sequences differ in length (" + seq + " and " + s.inputIds().length
            + "); the data pipeline must pad or pack them to one length.");
      }
      System.arraycopy(s.inputIds(), 0, ids, i * seq, seq);
      System.arraycopy(s.labels(), 0, labels, i * seq, seq);
    }
    return new Batch(ids, labels, microBatch, seq);
  }
}
