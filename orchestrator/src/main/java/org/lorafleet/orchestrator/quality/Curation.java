package org.lorafleet.orchestrator.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lorafleet.orchestrator.config.QualityConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The curation stages, in order, over the training rows of one job: exact dedup, near-duplicate
 * removal, heuristic quality filters, language, decontamination against the eval rows and benchmark
 * files, PII redaction. Eval rows and rows without a text (blank, malformed) pass every stage
 * untouched. Each stage runs as Spark jobs on the executors; the counts and a few examples of what
 * it removed go into the {@link CurationReport}.
 *
 * <p>Deterministic: a stage's decision depends on the row's text, the seed (MinHash salts) and row
 * ids only, never on partitioning, so the same input gives the same output on any cluster.
 */
public final class Curation {

  private static final Logger LOG = LoggerFactory.getLogger(Curation.class);
  static final int EXAMPLES = 3;

  /**
   * @param rows    every row that survived: eval rows, unjudged rows and the kept training rows (PII
   *                redacted), persisted; unpersist when done
   * @param removed the removed training rows of every stage, or null unless {@code keep_removed}
   *                (persisted then)
   * @param report  counts per stage
   */
  public record Result(JavaRDD<CurationRow> rows, JavaRDD<RemovedRow> removed, CurationReport report) {
  }

  private Curation() {
  }

  /**
   * Runs the stages {@code q} turns on. Blocks (runs Spark jobs).
   *
   * @param decontaminate source name -> texts of extra protected files (in report order); the eval
   *                      rows are added as source {@code data.eval}
   */
  public static Result run(SparkSession spark, JavaRDD<CurationRow> input, QualityConfig q,
      Map<String, JavaRDD<String>> decontaminate, long seed) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<CurationRow> current = input.persist(StorageLevel.MEMORY_AND_DISK());
    long judged = current.filter(CurationRow::judged).count();
    long inputRows = judged;
    List<StageReport> stages = new ArrayList<>();
    List<JavaRDD<RemovedRow>> removed = new ArrayList<>();
    Stage stage = new Stage(q.keepRemoved(), removed);

    if (q.exactDedup()) {
      current = stage.run("exact_dedup", current, judged, exactDuplicates(current), Map.of());
      judged = stage.last.rowsOut();
      stages.add(stage.last);
    }
    if (q.nearDedup()) {
      MinHash mh = MinHash.forThreshold(q.nearDedupThreshold(), q.numPerm(), q.shingleWords(), seed);
      LOG.info("Near-duplicates: MinHash of {} permutations, {}-word shingles, LSH {} bands x {} rows "
          + "for Jaccard >= {}.", q.numPerm(), q.shingleWords(), mh.bands(), mh.rows(), q.nearDedupThreshold());
      JavaPairRDD<Long, Long> dups = NearDuplicates.duplicates(current.filter(CurationRow::judged), mh,
          q.nearDedupThreshold());
      current = stage.run("near_dedup", current, judged, nearDuplicates(current, dups, q.nearDedupThreshold()),
          Map.of());
      dups.unpersist(false); // the stage's kept and removed rows are computed and persisted by now
      judged = stage.last.rowsOut();
      stages.add(stage.last);
    }
    if (q.qualityFilters()) {
      HeuristicFilters filters = new HeuristicFilters(q.filters());
      current = stage.run("quality_filters", current, judged, byRow(current, r -> filters.reject(r.text())),
          Map.of());
      judged = stage.last.rowsOut();
      stages.add(stage.last);
    }
    if (!q.languages().isEmpty()) {
      List<String> keep = q.languages();
      current = stage.run("language", current, judged, byRow(current, r -> {
        String lang = LanguageId.detect(r.text());
        return keep.contains(lang) ? null : "language " + lang + " is not among " + keep;
      }), Map.of());
      judged = stage.last.rowsOut();
      stages.add(stage.last);
    }
    if (q.decontamination()) {
      Map<String, JavaRDD<String>> sources = new LinkedHashMap<>();
      sources.put("data.eval", current.filter(r -> r.eval() && r.text() != null).map(CurationRow::text));
      sources.putAll(decontaminate);
      Decontamination d = Decontamination.of(q.decontaminateNgram(), sources);
      LOG.info("Decontamination: {} distinct {}-grams from {}.", d.size(), q.decontaminateNgram(), sources.keySet());
      Broadcast<Decontamination> b = jsc.broadcast(d);
      String prefix = "shares a " + q.decontaminateNgram() + "-gram with ";
      JavaRDD<Tuple2<CurationRow, String>> marked = byRow(current, r -> {
        String source = b.value().match(r.text());
        return source == null ? null : prefix + source;
      });
      current = stage.run("decontaminate", current, judged, marked, Map.of());
      List<Tuple2<String, Long>> bySource = stage.lastRemoved
          .mapToPair(r -> new Tuple2<>(r.reason().substring(prefix.length()), 1L)).reduceByKey(Long::sum).collect();
      stage.last = new StageReport(stage.last.stage(), stage.last.rowsIn(), stage.last.rowsOut(),
          stage.last.examples(), d.countsBySource(bySource));
      stage.finish();
      judged = stage.last.rowsOut();
      stages.add(stage.last);
    }
    if (q.pii()) {
      JavaRDD<Tuple2<CurationRow, long[]>> redacted = current
          .map(r -> r.judged() ? PayloadRedaction.redact(r) : new Tuple2<>(r, PayloadRedaction.NONE))
          .persist(StorageLevel.MEMORY_AND_DISK());
      long[] kinds = redacted.map(Tuple2::_2).fold(new long[PiiKind.values().length], Curation::sum);
      Map<String, Long> counts = new LinkedHashMap<>();
      for (PiiKind k : PiiKind.values()) {
        counts.put(k.reportName(), kinds[k.ordinal()]);
      }
      JavaRDD<CurationRow> next = redacted.map(Tuple2::_1).persist(StorageLevel.MEMORY_AND_DISK());
      next.count();
      redacted.unpersist(false);
      current.unpersist(false);
      current = next;
      stages.add(new StageReport("pii", judged, judged, List.of(), counts));
    }
    stage.finish();
    JavaRDD<RemovedRow> allRemoved = null;
    if (q.keepRemoved()) {
      allRemoved = removed.isEmpty() ? jsc.emptyRDD() : jsc.union(removed.toArray(JavaRDD[]::new));
    }
    return new Result(current, allRemoved, new CurationReport(inputRows, judged, stages));
  }

  /** The texts of a benchmark file for decontamination (see {@link Decontamination#textsOf}). */
  public static JavaRDD<String> textsOf(SparkSession spark, String path) {
    return Decontamination.textsOf(spark, path);
  }

  private static long[] sum(long[] a, long[] b) {
    long[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  /** Each row with the reason {@code f} gives to remove it (null: keep); unjudged rows are kept. */
  private static JavaRDD<Tuple2<CurationRow, String>> byRow(JavaRDD<CurationRow> rows, Function<CurationRow, String> f) {
    return rows.map(r -> new Tuple2<>(r, r.judged() ? f.call(r) : null));
  }

  /** Every row; a training row whose normalised text an earlier row (lower id) has is marked. */
  private static JavaRDD<Tuple2<CurationRow, String>> exactDuplicates(JavaRDD<CurationRow> rows) {
    JavaPairRDD<Tuple2<Long, Long>, CurationRow> keyed = rows.filter(CurationRow::judged)
        .mapToPair(r -> new Tuple2<>(exactKey(r.text()), r));
    JavaPairRDD<Tuple2<Long, Long>, Tuple2<Long, String>> first = keyed
        .mapValues(r -> new Tuple2<>(r.id(), r.where()))
        .reduceByKey((a, b) -> a._1() <= b._1() ? a : b);
    JavaRDD<Tuple2<CurationRow, String>> judged = keyed.join(first).values()
        .map(t -> new Tuple2<>(t._1(), t._1().id() == t._2()._1() ? null : "exact duplicate of " + t._2()._2()));
    return judged.union(rows.filter(r -> !r.judged()).map(r -> new Tuple2<>(r, (String) null)));
  }

  /** 128 bits of the normalised text: two 64-bit hashes, of it and of its reverse. */
  static Tuple2<Long, Long> exactKey(String text) {
    String key = TextNormalizer.key(text);
    return new Tuple2<>(TextNormalizer.hash64(key), TextNormalizer.hash64(new StringBuilder(key).reverse().toString()));
  }

  /**
   * Every row; a training row of a near-duplicate cluster other than its lowest id is marked.
   *
   * @param dups (removed row id, kept row id) from {@link NearDuplicates#duplicates}
   */
  private static JavaRDD<Tuple2<CurationRow, String>> nearDuplicates(JavaRDD<CurationRow> rows,
      JavaPairRDD<Long, Long> dups, double threshold) {
    JavaPairRDD<Long, CurationRow> byId = rows.mapToPair(r -> new Tuple2<>(r.id(), r));
    JavaPairRDD<Long, String> keptWhere = dups.mapToPair(Tuple2::swap).join(byId)
        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2().where()));
    String similar = "near-duplicate (estimated Jaccard >= " + threshold + ") of ";
    return byId.leftOuterJoin(keptWhere).values()
        .map(t -> new Tuple2<>(t._1(), t._2().isPresent() ? similar + t._2().get() : (String) null));
  }

  /** Runs one removing stage: splits marked rows into kept and removed, counts, keeps examples. */
  private static final class Stage {
    private final boolean keepRemoved;
    private final List<JavaRDD<RemovedRow>> removed;
    StageReport last;
    JavaRDD<RemovedRow> lastRemoved;

    Stage(boolean keepRemoved, List<JavaRDD<RemovedRow>> removed) {
      this.keepRemoved = keepRemoved;
      this.removed = removed;
    }

    JavaRDD<CurationRow> run(String name, JavaRDD<CurationRow> current, long rowsIn,
        JavaRDD<Tuple2<CurationRow, String>> marked, Map<String, Long> counts) {
      finish();
      JavaRDD<Tuple2<CurationRow, String>> m = marked.persist(StorageLevel.MEMORY_AND_DISK());
      JavaRDD<CurationRow> kept = m.filter(t -> t._2() == null).map(Tuple2::_1).persist(StorageLevel.MEMORY_AND_DISK());
      JavaRDD<RemovedRow> out = m.filter(t -> t._2() != null).map(t -> RemovedRow.of(t._1(), name, t._2()))
          .persist(StorageLevel.MEMORY_AND_DISK());
      long removedCount = out.count();
      kept.count();
      List<RemovedRow> examples = out.takeOrdered(EXAMPLES, (Comparator<RemovedRow> & Serializable)
          (a, b) -> Long.compare(a.id(), b.id()));
      m.unpersist(false);
      current.unpersist(false);
      last = new StageReport(name, rowsIn, rowsIn - removedCount, examples, counts);
      lastRemoved = out;
      LOG.info("Curation stage {}: {} of {} training rows removed.", name, removedCount, rowsIn);
      return kept;
    }

    /** Releases the last stage's removed rows unless they are kept for output. */
    void finish() {
      if (lastRemoved == null) {
        return;
      }
      if (keepRemoved) {
        if (!removed.contains(lastRemoved)) {
          removed.add(lastRemoved);
        }
      } else {
        lastRemoved.unpersist(false);
      }
      lastRemoved = null;
    }
  }
}
