package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.Comparator;
import org.apache.spark.Partitioner;

/**
 * Where each training example goes before packing, and in which order: a fixed number of packing
 * groups (derived from the input's row count only, so the result does not depend on how Spark split
 * the input or on the master), each one Spark partition, sorted within.
 */
final class Grouping implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Sort key of an example: its packing group and its position in that group. */
  record Key(int group, long order, int fileIdx, long line) implements Serializable {
  }

  /** Sort key of a packed sequence for the final shuffle. */
  record SeqKey(long order, int group, long seqNo) implements Serializable {
  }

  private final boolean shuffle;
  private final long seed;
  private final int groups;
  private final long[] fileBase;
  private final long trainLines;

  /**
   * @param linesPerFile records per input file (training files first), from {@link RowReader}
   * @param trainFiles   how many of the files are training files
   */
  Grouping(boolean shuffle, long seed, long[] linesPerFile, int trainFiles, long rowsPerGroup) {
    this.shuffle = shuffle;
    this.seed = seed;
    this.fileBase = new long[linesPerFile.length];
    long total = 0;
    for (int i = 0; i < trainFiles; i++) {
      fileBase[i] = total;
      total += linesPerFile[i];
    }
    this.trainLines = Math.max(1, total);
    this.groups = (int) Math.max(1, Math.min(1024, (total + rowsPerGroup - 1) / rowsPerGroup));
  }

  int groups() {
    return groups;
  }

  /**
   * Shuffled: a seeded hash of (file, line) picks the group and the order within it. In file order:
   * contiguous ranges of global line numbers form the groups, in order.
   */
  Key key(Example e) {
    if (shuffle) {
      long order = Mix.hash(seed, Mix.ORDER, e.fileIdx(), e.line());
      int group = (int) Long.remainderUnsigned(Mix.hash(seed, Mix.BUCKET, e.fileIdx(), e.line()), groups);
      return new Key(group, order, e.fileIdx(), e.line());
    }
    long ordinal = fileBase[e.fileIdx()] + e.line() - 1;
    return new Key((int) Math.min(groups - 1, ordinal * groups / trainLines), ordinal, e.fileIdx(), e.line());
  }

  SeqKey seqKey(Packer.Packed p) {
    return new SeqKey(Mix.hash(seed, Mix.SEQUENCE, p.group(), p.seqNo()), p.group(), p.seqNo());
  }

  /** Sends a {@link Key} to the partition of its group. */
  static final class ByGroup extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int groups;

    ByGroup(int groups) {
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return ((Key) key).group();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByGroup b && b.groups == groups;
    }

    @Override
    public int hashCode() {
      return groups;
    }
  }

  /** Orders examples within a group. */
  static final class KeyOrder implements Comparator<Key>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Key a, Key b) {
      int c = Long.compare(a.order(), b.order());
      if (c == 0) {
        c = Integer.compare(a.fileIdx(), b.fileIdx());
      }
      return c != 0 ? c : Long.compare(a.line(), b.line());
    }
  }

  /** Orders packed sequences for the final shuffle. */
  static final class SeqOrder implements Comparator<SeqKey>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(SeqKey a, SeqKey b) {
      int c = Long.compare(a.order(), b.order());
      if (c == 0) {
        c = Integer.compare(a.group(), b.group());
      }
      return c != 0 ? c : Long.compare(a.seqNo(), b.seqNo());
    }
  }
}
