package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Turns a stream of examples into sequences of exactly {@code seqLen} tokens, lazily.
 *
 * <p>Packing: the examples' ids and labels are concatenated and cut every {@code seqLen} tokens, so
 * an example may continue into the next sequence; only the last sequence of the stream is padded.
 * Without packing: each example (already at most {@code seqLen} long) becomes one sequence, padded.
 * Padding uses {@code padId} with label -100.
 */
final class Packer implements Serializable {

  private static final long serialVersionUID = 1L;

  /** A packed sequence and its stable id within its group. */
  record Packed(int group, long seqNo, long[] ids, long[] labels) implements Serializable {
  }

  private final int seqLen;
  private final boolean packing;
  private final long padId;

  Packer(int seqLen, boolean packing, long padId) {
    this.seqLen = seqLen;
    this.packing = packing;
    this.padId = padId;
  }

  Iterator<Packed> pack(int group, Iterator<Example> examples) {
    return new Iterator<>() {
      private final ArrayDeque<Packed> ready = new ArrayDeque<>();
      private long[] ids;
      private long[] labels;
      private int fill;
      private long seqNo;
      private boolean flushed;

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && !flushed) {
          if (examples.hasNext()) {
            add(examples.next());
          } else {
            flushed = true;
            if (fill > 0) {
              emit();
            }
          }
        }
        return !ready.isEmpty();
      }

      @Override
      public Packed next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }

      private void add(Example e) {
        long[] eIds = e.ids();
        long[] eLabels = e.labels();
        int pos = 0;
        while (pos < eIds.length) {
          if (ids == null) {
            ids = new long[seqLen];
            labels = new long[seqLen];
            fill = 0;
          }
          int k = Math.min(seqLen - fill, eIds.length - pos);
          System.arraycopy(eIds, pos, ids, fill, k);
          System.arraycopy(eLabels, pos, labels, fill, k);
          fill += k;
          pos += k;
          if (fill == seqLen) {
            emit();
          }
        }
        if (!packing && fill > 0) {
          emit();
        }
      }

      private void emit() {
        Arrays.fill(ids, fill, seqLen, padId);
        Arrays.fill(labels, fill, seqLen, TokenSequence.IGNORE);
        ready.add(new Packed(group, seqNo++, ids, labels));
        ids = null;
        labels = null;
        fill = 0;
      }
    };
  }
}
