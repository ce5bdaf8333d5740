package org.lorafleet.orchestrator.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.config.FilterThresholds;
import org.lorafleet.orchestrator.config.QualityConfig;

/** The curation stages on a synthetic corpus whose duplicates, leaks and PII are known. */
class CurationTest {

  private static SparkSession spark;
  private static SyntheticCorpus corpus;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("lorafleet-curation-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    corpus = new SyntheticCorpus(7, 300, 260, 30, 20, 25);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private record Run(Map<Long, String> kept, Map<Long, RemovedRow> removed, CurationReport report) {
  }

  private static Run run(int partitions, List<String> benchmarkRows) throws Exception {
    Path bench = tmp.resolve("bench-" + partitions + ".jsonl");
    Files.write(bench, benchmarkRows);
    QualityConfig q = new QualityConfig(true, true, true, 0.8, 128, 5, true, FilterThresholds.DEFAULTS, List.of(),
        true, List.of(bench.toString()), 13, true, true);
    JavaRDD<CurationRow> input = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(corpus.rows, partitions);
    Map<String, JavaRDD<String>> extra = new LinkedHashMap<>();
    extra.put("bench.jsonl", Curation.textsOf(spark, bench.toString()));
    Curation.Result r = Curation.run(spark, input, q, extra, 42);
    Map<Long, String> kept = new TreeMap<>();
    r.rows().collect().forEach(row -> kept.put(row.id(), row.payload()));
    Map<Long, RemovedRow> removed = new TreeMap<>();
    r.removed().collect().forEach(row -> removed.put(row.id(), row));
    r.rows().unpersist();
    r.removed().unpersist();
    return new Run(kept, removed, r.report());
  }

  /** Three training rows whose 13-word runs the benchmark file repeats. */
  private static List<CurationRow> benchmarked() {
    List<CurationRow> train = corpus.rows.stream().filter(r -> !r.eval()).limit(40).collect(Collectors.toList());
    return List.of(train.get(10), train.get(20), train.get(30));
  }

  private static List<String> benchmarkFile() {
    List<String> lines = new ArrayList<>();
    for (CurationRow r : benchmarked()) {
      List<String> w = TextNormalizer.words(r.text());
      lines.add("{\"question\": \"" + String.join(" ", w.subList(20, 35)) + "\", \"answer\": \"yes\"}");
    }
    return lines;
  }

  @Test
  void everyPlantedProblemIsFoundAndTheResultDoesNotDependOnPartitions() throws Exception {
    Run a = run(2, benchmarkFile());
    Run b = run(7, benchmarkFile());
    assertEquals(a.kept(), b.kept(), "kept rows differ between 2 and 7 input partitions");
    assertEquals(a.removed().keySet(), b.removed().keySet());
    assertEquals(a.report().json(), b.report().json());
    Run again = run(2, benchmarkFile());
    assertEquals(a.kept(), again.kept(), "kept rows differ between two runs");

    Map<Long, RemovedRow> removed = a.removed();
    for (long id : corpus.exactCopies) {
      assertEquals("exact_dedup", removed.get(id).stage(), "exact copy " + id);
    }
    // near duplicates: recall at Jaccard >= 0.85, pairs below 0.6 kept, precision of what was removed
    int high = 0;
    int found = 0;
    Set<Long> trueCopies = new java.util.HashSet<>();
    for (SyntheticCorpus.Pair p : corpus.nearPairs) {
      assertFalse(removed.containsKey(p.original()) && "near_dedup".equals(removed.get(p.original()).stage()),
          "the original (lowest id) of a pair is kept: " + p);
      if (p.jaccard() >= 0.6) {
        trueCopies.add(p.copy());
      }
      RemovedRow r = removed.get(p.copy());
      boolean nearRemoved = r != null && r.stage().equals("near_dedup");
      if (p.jaccard() >= 0.85) {
        high++; // Jaccard 1 (no word replaced) is an exact copy: exact_dedup takes it first
        found += nearRemoved || r != null && r.stage().equals("exact_dedup") ? 1 : 0;
      } else if (p.jaccard() < 0.6) {
        assertFalse(nearRemoved, "a pair with Jaccard " + p.jaccard() + " was judged a near-duplicate");
      }
    }
    assertTrue(high >= 40, "the corpus plants enough pairs above 0.85: " + high);
    assertTrue(found >= 0.95 * high, "recall " + found + "/" + high);
    List<RemovedRow> near = removed.values().stream().filter(r -> r.stage().equals("near_dedup")).toList();
    long right = near.stream().filter(r -> trueCopies.contains(r.id())).count();
    assertTrue(right >= 0.95 * near.size(), "precision " + right + "/" + near.size());

    for (long id : corpus.leaks) {
      assertEquals("decontaminate", removed.get(id).stage(), "leaked row " + id);
    }
    for (CurationRow r : benchmarked()) {
      assertEquals("shares a 13-gram with bench.jsonl", removed.get(r.id()).reason());
    }
    StageReport decon = stage(a.report(), "decontaminate");
    assertEquals(Map.of("data.eval", (long) corpus.leaks.size(), "bench.jsonl", 3L), new HashMap<>(decon.counts()));

    StageReport pii = stage(a.report(), "pii");
    for (PiiKind k : PiiKind.values()) {
      assertEquals((long) corpus.plantedPii[k.ordinal()], pii.counts().get(k.reportName()), k.reportName());
    }
    for (String payload : a.kept().values()) {
      assertFalse(payload.contains("@example.org"), payload);
      assertFalse(payload.contains("2001:db8::"), payload);
    }
    assertTrue(a.kept().values().stream().anyMatch(p -> p.contains("<EMAIL>") && p.startsWith("{\"text\":")));

    // the report: stages in order, each one's rows_out the next one's rows_in
    List<String> names = a.report().stages().stream().map(StageReport::stage).toList();
    assertEquals(List.of("exact_dedup", "near_dedup", "quality_filters", "decontaminate", "pii"), names);
    long in = a.report().inputRows();
    for (StageReport s : a.report().stages()) {
      assertEquals(in, s.rowsIn(), s.stage());
      in = s.rowsOut();
      assertEquals(Math.min(Curation.EXAMPLES, s.removed()), s.examples().size(), s.stage());
    }
    assertEquals(in, a.report().outputRows());
    long evalRows = corpus.rows.stream().filter(CurationRow::eval).count();
    assertEquals(a.report().outputRows() + evalRows, a.kept().size());
    assertEquals(a.report().inputRows() - a.report().outputRows(), removed.size());
  }

  private static StageReport stage(CurationReport r, String name) {
    return r.stages().stream().filter(s -> s.stage().equals(name)).findFirst().orElseThrow();
  }
}
