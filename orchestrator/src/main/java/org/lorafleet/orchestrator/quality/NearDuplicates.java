package org.lorafleet.orchestrator.quality;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Near-duplicate clusters with Spark joins and group-bys whose cost grows with the rows and the
 * duplicates, not with rows².
 *
 * <ol>
 *   <li>A MinHash signature per row ({@link MinHash}); rows without words are left alone.
 *   <li>LSH banding: each row is keyed by (band, hash of the band's entries); rows meeting under one
 *       key are candidates. A bucket of up to {@value #ALL_PAIRS_BUCKET} rows yields all its pairs, a
 *       larger one (a template shared by many rows) pairs each row with the bucket's lowest id only,
 *       so a bucket of n rows costs n − 1 pairs instead of n²/2.
 *   <li>Each distinct candidate pair is verified: its signatures' estimated Jaccard must reach the
 *       threshold. Verified pairs are edges.
 *   <li>Connected components of the edges by min-label propagation: every row in an edge starts with
 *       its own id as label and takes the smallest label of its neighbours until no label changes (one
 *       join per round; rounds = the largest cluster's diameter, small for duplicate clusters).
 * </ol>
 * Rows whose label is not their own id are removed: exactly one row, the lowest id, is kept per
 * cluster. Nothing depends on partitioning: signatures come from the seed, labels are minima.
 *
 * <p>Spark MLlib's {@code MinHashLSH.approxSimilarityJoin} is not used: it joins every pair of a
 * bucket, which grows with the square of the largest bucket.
 */
final class NearDuplicates {

  static final int ALL_PAIRS_BUCKET = 64;

  private NearDuplicates() {
  }

  /**
   * (removed row id, id of the cluster's kept row) for every near-duplicate among {@code rows}.
   * Blocks (runs Spark jobs). The result is persisted; unpersist it when done.
   */
  static JavaPairRDD<Long, Long> duplicates(JavaRDD<CurationRow> rows, MinHash minHash, double threshold) {
    JavaPairRDD<Long, long[]> signatures = rows
        .mapToPair(r -> new Tuple2<>(r.id(), minHash.signature(TextNormalizer.words(r.text()))))
        .filter(t -> t._2() != null)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      JavaPairRDD<Long, Long> edges = verified(candidates(signatures, minHash), signatures, threshold);
      return components(edges.persist(StorageLevel.MEMORY_AND_DISK()));
    } finally {
      signatures.unpersist(false);
    }
  }

  /** Distinct candidate pairs (smaller id, larger id) from the LSH buckets. */
  private static JavaPairRDD<Long, Long> candidates(JavaPairRDD<Long, long[]> signatures, MinHash minHash) {
    return signatures
        .flatMapToPair(t -> {
          List<Tuple2<Tuple2<Integer, Long>, Long>> keys = new ArrayList<>(minHash.bands());
          for (int b = 0; b < minHash.bands(); b++) {
            keys.add(new Tuple2<>(new Tuple2<>(b, minHash.bandKey(t._2(), b)), t._1()));
          }
          return keys.iterator();
        })
        .groupByKey()
        .flatMapToPair(bucket -> {
          List<Long> ids = new ArrayList<>();
          bucket._2().forEach(ids::add);
          List<Tuple2<Long, Long>> pairs = new ArrayList<>();
          if (ids.size() < 2) {
            return pairs.iterator();
          }
          long[] sorted = ids.stream().mapToLong(Long::longValue).sorted().toArray();
          if (sorted.length <= ALL_PAIRS_BUCKET) {
            for (int i = 0; i < sorted.length; i++) {
              for (int j = i + 1; j < sorted.length; j++) {
                pairs.add(new Tuple2<>(sorted[i], sorted[j]));
              }
            }
          } else {
            for (int j = 1; j < sorted.length; j++) {
              pairs.add(new Tuple2<>(sorted[0], sorted[j]));
            }
          }
          return pairs.iterator();
        })
        .distinct();
  }

  /** The pairs whose signatures' estimated Jaccard reaches {@code threshold}. */
  private static JavaPairRDD<Long, Long> verified(JavaPairRDD<Long, Long> pairs, JavaPairRDD<Long, long[]> signatures,
      double threshold) {
    return pairs.join(signatures) // a -> (b, sig a)
        .mapToPair(t -> new Tuple2<>(t._2()._1(), new Tuple2<>(t._1(), t._2()._2())))
        .join(signatures) // b -> ((a, sig a), sig b)
        .filter(t -> MinHash.similarity(t._2()._1()._2(), t._2()._2()) >= threshold)
        .mapToPair(t -> new Tuple2<>(t._2()._1()._1(), t._1()));
  }

  /** (row, smallest id of its component) for every row of an edge whose label is not itself. */
  private static JavaPairRDD<Long, Long> components(JavaPairRDD<Long, Long> edges) {
    // One partitioner for every RDD of the loop: joins of co-partitioned RDDs need no shuffle of `both`,
    // and a union of RDDs with different partitioners would add their partition counts each round.
    Partitioner part = new HashPartitioner(Math.max(1, edges.getNumPartitions()));
    JavaPairRDD<Long, Long> both = edges.union(edges.mapToPair(Tuple2::swap)).partitionBy(part)
        .persist(StorageLevel.MEMORY_AND_DISK());
    edges.unpersist(false);
    JavaPairRDD<Long, Long> labels = both.keys().distinct().mapToPair(id -> new Tuple2<>(id, id)).partitionBy(part)
        .persist(StorageLevel.MEMORY_AND_DISK());
    while (true) {
      // each node offers its label to its neighbours; a node keeps the smallest it sees
      JavaPairRDD<Long, Long> next = both.join(labels, part)
          .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2()))
          .union(labels)
          .reduceByKey(part, Math::min)
          .persist(StorageLevel.MEMORY_AND_DISK());
      long changed = next.join(labels, part).filter(t -> !t._2()._1().equals(t._2()._2())).count();
      labels.unpersist(false);
      labels = next;
      if (changed == 0) {
        break;
      }
    }
    both.unpersist(false);
    JavaPairRDD<Long, Long> removed = labels.filter(t -> !t._1().equals(t._2())).persist(StorageLevel.MEMORY_AND_DISK());
    removed.count();
    labels.unpersist(false);
    return removed;
  }
}
