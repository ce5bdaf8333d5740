package org.lorafleet.math.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Element-wise work over several flat arrays, cut into fixed chunks of {@value #CHUNK} elements
 * that run on the common fork-join pool when there is enough work. The cut depends only on the
 * array lengths, never on the thread count, so per-chunk partial results combined in chunk order
 * are bit-identical from run to run and machine to machine. Blocks until every chunk is done.
 */
final class Chunked {

  static final int CHUNK = 1 << 16;
  /** Below this many elements in total, chunks run in the calling thread (forking costs more). */
  static final int PARALLEL_THRESHOLD = 1 << 18;

  /** One chunk: elements [from, to) of array number {@code array}. */
  record Chunk(int index, int array, int from, int to) {}

  interface Body {
    void run(Chunk c);
  }

  private Chunked() {}

  /** The chunks of arrays of the given lengths, in order. */
  static List<Chunk> cut(int[] lengths) {
    List<Chunk> out = new ArrayList<>();
    for (int a = 0; a < lengths.length; a++) {
      for (int from = 0; from < lengths[a]; from += CHUNK) {
        out.add(new Chunk(out.size(), a, from, Math.min(lengths[a], from + CHUNK)));
      }
    }
    return out;
  }

  /** Runs {@code body} on every chunk, in parallel when the arrays hold enough elements. */
  static void run(List<Chunk> chunks, long totalElements, Body body) {
    if (totalElements < PARALLEL_THRESHOLD || chunks.size() < 2) {
      chunks.forEach(body::run);
    } else {
      IntStream.range(0, chunks.size()).parallel().forEach(i -> body.run(chunks.get(i)));
    }
  }
}
