package org.lorafleet.orchestrator.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.orchestrator.config.FilterThresholds;
import org.lorafleet.orchestrator.config.QualityConfig;

/**
 * Throughput of the curation stages (exact dedup, near dedup, filters, decontamination, PII) on a
 * synthetic corpus generated on the executors: rows of ~100 random words, every 10th a near copy
 * (one word replaced) of the row before, every 25th an exact copy, every 50th with an e-mail.
 * Run by {@code bench/curation-bench.sh}; prints rows/s per size.
 *
 * <p>Usage: {@code CurationBenchmark master rows...} (e.g. {@code local[2] 250000 500000 1000000}).
 */
public final class CurationBenchmark {

  private CurationBenchmark() {
  }

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master(args[0]).appName("lorafleet-curation-bench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    QualityConfig q = new QualityConfig(true, true, true, 0.8, 128, 5, true, FilterThresholds.DEFAULTS, List.of(),
        true, List.of(), 13, true, false);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    for (int i = 1; i < args.length; i++) {
      long n = Long.parseLong(args[i]);
      int partitions = (int) Math.max(4, n / 25_000);
      List<Long> starts = new ArrayList<>();
      for (long s = 0; s < n; s += n / partitions + 1) {
        starts.add(s);
      }
      long step = n / partitions + 1;
      JavaRDD<CurationRow> rows = jsc.parallelize(starts, starts.size())
          .flatMap(s -> LongStream.range(s, Math.min(n, s + step)).mapToObj(CurationBenchmark::row).iterator());
      long t0 = System.nanoTime();
      Curation.Result r = Curation.run(spark, rows, q, Map.of(), 1);
      long kept = r.rows().count();
      double seconds = (System.nanoTime() - t0) / 1e9;
      r.rows().unpersist(false);
      System.out.printf(Locale.ROOT, "CURATION rows=%d kept=%d seconds=%.1f rows_per_s=%.0f%n", n, kept, seconds,
          n / seconds);
      System.out.println(r.report().summary());
    }
    spark.stop();
  }

  /** Row {@code id}: deterministic from the id alone, so any partitioning generates the same corpus. */
  static CurationRow row(long id) {
    long source = id % 25 == 24 || id % 10 == 9 ? id - 1 : id;
    List<String> words = words(new SplittableRandom(new SplittableRandom(source).nextLong()), 90 + (int) (source % 20));
    if (id % 10 == 9 && id % 25 != 24) {
      words.set((int) (id % words.size()), "changed");
    }
    String text = String.join(" ", words) + ".";
    if (id % 50 == 0) {
      text += " Mail row" + id + "@example.org for details.";
    }
    return new CurationRow(id + 1, "bench:" + (id + 1), id % 100 == 7, text,
        "{\"text\":\"" + text + "\"}", true);
  }

  // Seeds are mixed first: SplittableRandom(k * gamma) yields the stream of seed k shifted by one value per k,
  // so neighbouring rows would share all but one word.
  private static List<String> words(SplittableRandom rnd, int n) {
    List<String> w = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = 3 + rnd.nextInt(6);
      StringBuilder s = new StringBuilder(len);
      for (int k = 0; k < len; k++) {
        s.append((char) ('a' + rnd.nextInt(26)));
      }
      w.add(s.toString());
    }
    return w;
  }
}
