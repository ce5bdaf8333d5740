package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.lorafleet.orchestrator.data.RowFormatter.Segment;

/** Packing, padding, truncation and EOS on a fake tokenizer (one id per character). */
class PackerTest {

  private static final Function<String, long[]> CHARS = s -> s.chars().asLongStream().toArray();
  private static final long I = -100;

  private static Example example(long line, List<Segment> segments, Long eos, int maxSeqLen) {
    return RowEncoder.tokenize(new SourceRow(0, line, ""), false, segments, CHARS, null, eos, maxSeqLen);
  }

  private static List<Packer.Packed> pack(Packer p, Example... examples) {
    List<Packer.Packed> out = new ArrayList<>();
    for (Iterator<Packer.Packed> it = p.pack(3, List.of(examples).iterator()); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  @Test
  void masksPromptAndAppendsTrainedEos() {
    Example e = example(1, List.of(new Segment("ab", false), new Segment("cd", true)), 9L, 10);
    assertArrayEquals(new long[] {'a', 'b', 'c', 'd', 9}, e.ids());
    assertArrayEquals(new long[] {I, I, 'c', 'd', 9}, e.labels());
    assertEquals(3, e.trainable());
    assertEquals(false, e.truncated());
  }

  @Test
  void truncatesAndDropsWhatHasNothingToTrain() {
    Example cut = example(1, List.of(new Segment("ab", false), new Segment("cdef", true)), 9L, 4);
    assertArrayEquals(new long[] {'a', 'b', 'c', 'd'}, cut.ids());
    assertEquals(true, cut.truncated());
    Example gone = example(2, List.of(new Segment("abcd", false), new Segment("ef", true)), 9L, 4);
    assertEquals(Example.Status.DROPPED, gone.status());
    assertEquals(true, gone.truncated());
    assertEquals(Example.Status.DROPPED, example(3, List.of(new Segment("", true)), null, 4).status());
    // A single trained token at position 0 is never predicted: nothing to train.
    assertEquals(Example.Status.DROPPED, example(4, List.of(new Segment("a", true)), null, 4).status());
  }

  @Test
  void packsIntoFullSequencesAcrossExampleBoundaries() {
    Example a = example(1, List.of(new Segment("ab", false), new Segment("c", true)), 0L, 8);
    Example b = example(2, List.of(new Segment("de", true)), 0L, 8);
    Example c = example(3, List.of(new Segment("f", false), new Segment("gh", true)), 0L, 8);
    List<Packer.Packed> seqs = pack(new Packer(4, true, 7), a, b, c);
    assertEquals(3, seqs.size());
    assertArrayEquals(new long[] {'a', 'b', 'c', 0}, seqs.get(0).ids());
    assertArrayEquals(new long[] {I, I, 'c', 0}, seqs.get(0).labels());
    assertArrayEquals(new long[] {'d', 'e', 0, 'f'}, seqs.get(1).ids());
    assertArrayEquals(new long[] {'d', 'e', 0, I}, seqs.get(1).labels());
    assertArrayEquals(new long[] {'g', 'h', 0, 7}, seqs.get(2).ids());
    assertArrayEquals(new long[] {'g', 'h', 0, I}, seqs.get(2).labels());
    assertEquals(List.of(0L, 1L, 2L), seqs.stream().map(Packer.Packed::seqNo).toList());
    assertEquals(3, seqs.get(2).group());
  }

  @Test
  void padsEachExampleWithoutPacking() {
    Example a = example(1, List.of(new Segment("ab", false), new Segment("c", true)), null, 4);
    Example b = example(2, List.of(new Segment("defg", true)), null, 4);
    List<Packer.Packed> seqs = pack(new Packer(4, false, 5), a, b);
    assertEquals(2, seqs.size());
    assertArrayEquals(new long[] {'a', 'b', 'c', 5}, seqs.get(0).ids());
    assertArrayEquals(new long[] {I, I, 'c', I}, seqs.get(0).labels());
    assertArrayEquals(new long[] {'d', 'e', 'f', 'g'}, seqs.get(1).ids());
    assertArrayEquals(new long[] {'d', 'e', 'f', 'g'}, seqs.get(1).labels());
  }

  @Test
  void summaryIsReadable() {
    DataStats s = new DataStats(12_345, 3, List.of("a.jsonl:7: field 'text' is missing"), 2, 10, 1_234_567,
        800_000, 4_000, 120);
    assertEquals("rows 12,345 (bad 3 skipped, dropped 2, truncated 10)\n"
        + "tokens 1.2M (trainable 800k)\n"
        + "train sequences 4,000 × 256 · eval sequences 120\n"
        + "bad rows (first 1):\n  a.jsonl:7: field 'text' is missing", s.summary(256));
    assertEquals("950", DataStats.compact(950));
    assertEquals("12.3k", DataStats.compact(12_345));
  }
}
