package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.data.DataTestSupport.spec;
import static org.lorafleet.orchestrator.data.DataTestSupport.with;
import static org.lorafleet.orchestrator.data.DataTestSupport.write;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bad_rows: skip counts and reports file:line; fail stops at the first bad row; files split by Spark. */
class BadRowsTest {

  private static SparkSession spark;
  private static String model;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = DataTestSupport.spark("data-bad-rows");
    model = DataTestSupport.modelDir();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** A JSON-lines file of n good rows with the given lines (1-based) replaced. */
  private static Path file(Path path, int n, Map<Integer, String> replaced) {
    String[] lines = new String[n];
    for (int i = 1; i <= n; i++) {
      lines[i - 1] = replaced.getOrDefault(i, "{\"prompt\": \"Row " + i + " says\", \"completion\": \" hello " + i + "\"}");
    }
    return write(path, lines);
  }

  private static DataSpec completion(Path dir, String badRows) {
    return with(spec(dir.toString(), "completion", 32), null, 0, false, badRows, true);
  }

  @Test
  void skipCountsBadRowsAndReportsTheFirstFiveInFileOrder() {
    Path dir = tmp.resolve("skip");
    Map<Integer, String> a = new TreeMap<>(Map.of(
        5, "{\"prompt\": \"broken\", \"completion\": ",
        10, "",
        17, "{\"prompt\": \"no completion\"}",
        40, "{\"prompt\": \"p\", \"completion\": \"\"}",
        58, "[\"not\", \"an\", \"object\"]"));
    Path fa = file(dir.resolve("a.jsonl"), 60, a);
    Path fb = file(dir.resolve("b.jsonl"), 8, Map.of(2, "{\"completion\": \" c\"}", 3, "nonsense"));
    List<InputFile> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), completion(dir, "skip"));
    assertTrue(RowReader.read(spark, files, 4).rows().getNumPartitions() >= 4, "a.jsonl is split");
    PreparedData d = DataPipeline.prepare(spark, completion(dir, "skip"), model, 1, new DataPipeline.Tuning(4, 100_000));
    d.train().unpersist();
    assertEquals(67, d.stats().rows());
    assertEquals(6, d.stats().badRows());
    assertEquals(61, d.stats().trainSequences());
    List<String> ex = d.stats().badRowExamples();
    assertEquals(5, ex.size());
    assertTrue(ex.get(0).startsWith(fa + ":5: malformed JSON ("), ex.get(0));
    assertEquals(fa + ":17: field 'completion' is missing", ex.get(1));
    assertEquals(fa + ":40: field 'completion' is empty", ex.get(2));
    assertEquals(fa + ":58: not a JSON object", ex.get(3));
    assertEquals(fb + ":2: field 'prompt' is missing", ex.get(4));
    assertTrue(d.stats().summary().contains("bad 6 skipped"), d.stats().summary());
  }

  @Test
  void failStopsWithTheFirstBadRowInFileOrder() {
    Path dir = tmp.resolve("fail");
    Path fa = file(dir.resolve("a.jsonl"), 80, Map.of(33, "{\"prompt\": 1, \"completion\": \" x\"}",
        71, "{oops"));
    file(dir.resolve("b.jsonl"), 5, Map.of(1, "{oops"));
    BadDataException e = assertThrows(BadDataException.class,
        () -> DataPipeline.prepare(spark, completion(dir, "fail"), model, 1, new DataPipeline.Tuning(5, 100_000)));
    assertEquals(fa + ":33: field 'prompt' is not a string", e.getMessage());
  }

  @Test
  void failPassesCleanDataAndSkipAllBadIsAClearError() {
    Path clean = tmp.resolve("clean");
    file(clean.resolve("ok.jsonl"), 6, Map.of());
    PreparedData d = DataPipeline.prepare(spark, completion(clean, "fail"), model, 1);
    assertEquals(6, d.stats().trainSequences());
    d.train().unpersist();

    Path allBad = tmp.resolve("all-bad");
    write(allBad.resolve("x.jsonl"), "{", "{\"prompt\": \"p\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataPipeline.prepare(spark, completion(allBad, "skip"), model, 1));
    assertTrue(e.getMessage().startsWith("No training sequence is left"), e.getMessage());
  }
}
