package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.data.DataTestSupport.spec;
import static org.lorafleet.orchestrator.data.DataTestSupport.with;
import static org.lorafleet.orchestrator.data.DataTestSupport.write;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eval file vs fraction, seeded determinism, independence from input splitting, file order. */
class DataPipelineSplitTest {

  private static SparkSession spark;
  private static String model;
  private static Path data;

  @BeforeAll
  static void start(@TempDir Path tmp) {
    spark = DataTestSupport.spark("data-split");
    model = DataTestSupport.modelDir();
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      (i < 70 ? a : b).add("{\"prompt\": \"Item " + i + " is\", \"completion\": \" number " + i + ".\"}");
    }
    data = tmp.resolve("train");
    write(data.resolve("part-a.jsonl"), a.toArray(String[]::new));
    write(data.resolve("part-b.jsonl"), b.toArray(String[]::new));
    write(tmp.resolve("eval.jsonl"), "{\"prompt\": \"E1\", \"completion\": \" one\"}", "",
        "{\"prompt\": \"E2\", \"completion\": \" two\"}", "{\"prompt\": \"E3\", \"completion\": \" three\"}");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private record Run(List<TokenSequence> train, List<TokenSequence> eval, DataStats stats) {
  }

  private static Run run(DataSpec spec, long seed, DataPipeline.Tuning tuning) {
    PreparedData d = DataPipeline.prepare(spark, spec, model, seed, tuning);
    List<TokenSequence> train = d.train().collect();
    d.train().unpersist();
    for (int i = 0; i < train.size(); i++) {
      assertEquals(i, train.get(i).index());
    }
    return new Run(train, d.eval(), d.stats());
  }

  private static DataSpec completion(String eval, double fraction, boolean packing, boolean shuffle) {
    return with(spec(data.toString(), "completion", 24), eval, fraction, packing, "skip", shuffle);
  }

  private static Set<String> contents(List<TokenSequence> seqs) {
    Set<String> out = new HashSet<>();
    for (TokenSequence s : seqs) {
      out.add(java.util.Arrays.toString(s.inputIds()));
    }
    return out;
  }

  @Test
  void evalFractionIsDeterministicBySeedAndDisjointFromTrain() {
    DataSpec spec = completion(null, 0.25, false, true);
    Run a = run(spec, 11, DataPipeline.Tuning.DEFAULT);
    Run again = run(spec, 11, new DataPipeline.Tuning(5, 100_000));
    Run other = run(spec, 12, DataPipeline.Tuning.DEFAULT);
    assertEquals(120, a.train().size() + a.eval().size());
    assertTrue(a.eval().size() > 15 && a.eval().size() < 50, "eval size " + a.eval().size());
    assertEquals(a.train(), again.train());
    assertEquals(a.eval(), again.eval());
    assertNotEquals(contents(a.eval()), contents(other.eval()));
    Set<String> overlap = contents(a.train());
    overlap.retainAll(contents(a.eval()));
    assertTrue(overlap.isEmpty(), "an eval row is also in train");
    assertEquals(120, a.stats().trainSequences() + a.stats().evalSequences());
  }

  @Test
  void evalFileIsUsedWholeAndInFileOrder() {
    Path eval = data.getParent().resolve("eval.jsonl");
    Run r = run(completion(eval.toString(), 0.5, false, true), 3, DataPipeline.Tuning.DEFAULT);
    assertEquals(120, r.train().size());
    assertEquals(3, r.eval().size());
    assertEquals(123, r.stats().rows());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, r.eval().get(i).index());
    }
    long[][] first = new DataTestSupport.Expected(model).add("E1", false).add(" one", true).eos().padded(24);
    assertArrayEquals(first[0], r.eval().get(0).inputIds());
    assertArrayEquals(first[1], r.eval().get(0).labels());
  }

  @Test
  void sameSeedSameSequencesWhateverTheSplitsAndOtherSeedOtherOrder() {
    DataSpec spec = completion(null, 0, true, true);
    DataPipeline.Tuning groups = new DataPipeline.Tuning(1, 40);
    Run a = run(spec, 5, groups);
    Run b = run(spec, 5, new DataPipeline.Tuning(6, 40));
    Run c = run(spec, 6, groups);
    assertEquals(a.train(), b.train());
    assertNotEquals(a.train(), c.train());
    for (TokenSequence s : a.train()) {
      assertEquals(24, s.inputIds().length);
    }
    DataSpec unpacked = completion(null, 0, false, true);
    Run u1 = run(unpacked, 5, groups);
    Run u2 = run(unpacked, 6, groups);
    assertNotEquals(u1.train(), u2.train());
    assertEquals(contents(u1.train()), contents(u2.train()), "another seed reorders the same sequences");
  }

  @Test
  void withoutShuffleSequencesFollowFileOrderAcrossGroups() {
    Run r = run(completion(null, 0, false, false), 9, new DataPipeline.Tuning(4, 25));
    assertEquals(120, r.train().size());
    for (int i = 0; i < 120; i++) {
      long[] want = new DataTestSupport.Expected(model).add("Item " + i + " is", false)
          .add(" number " + i + ".", true).eos().padded(24)[0];
      assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(r.train().get(i).inputIds()), "row " + i);
    }
  }
}
