package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.data.DataTestSupport.spec;
import static org.lorafleet.orchestrator.data.DataTestSupport.with;
import static org.lorafleet.orchestrator.data.DataTestSupport.write;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.data.DataTestSupport.Expected;

/** Every format gives exactly the expected ids and -100 masks; JSONL, Parquet and text inputs; packing. */
class DataPipelineFormatsTest {

  private static SparkSession spark;
  private static String model;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = DataTestSupport.spark("data-formats");
    model = DataTestSupport.modelDir();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Runs in file order (no shuffle), no eval, and returns the train sequences by index. */
  private static List<TokenSequence> run(DataSpec spec) {
    PreparedData d = DataPipeline.prepare(spark, with(spec, null, 0, spec.packing(), "skip", false), model, 7);
    List<TokenSequence> out = d.train().collect();
    d.train().unpersist();
    for (int i = 0; i < out.size(); i++) {
      assertEquals(i, out.get(i).index());
      assertEquals(spec.maxSeqLen(), out.get(i).inputIds().length);
    }
    return out;
  }

  private static void assertSequence(Expected e, TokenSequence s) {
    long[][] want = e.padded(s.inputIds().length);
    assertArrayEquals(want[0], s.inputIds(), "ids");
    assertArrayEquals(want[1], s.labels(), "labels");
  }

  @Test
  void textFromJsonLinesTrainsOnEveryToken() {
    Path f = write(tmp.resolve("t.jsonl"), "{\"text\": \"Hello world, this is text.\"}", "", "{\"text\": \"Second.\"}");
    List<TokenSequence> s = run(spec(f.toString(), "text", 64));
    assertEquals(2, s.size());
    assertSequence(new Expected(model).add("Hello world, this is text.", true).eos(), s.get(0));
    assertSequence(new Expected(model).add("Second.", true).eos(), s.get(1));
  }

  @Test
  void plainTextFileHasOneRowPerNonBlankLine() {
    Path f = write(tmp.resolve("my corpus.txt"), "first line of text", "", "   ", "second line");
    PreparedData d = DataPipeline.prepare(spark, with(spec(f.toString(), "text", 32), null, 0, false, "skip", false),
        model, 1);
    List<TokenSequence> s = d.train().collect();
    assertEquals(2, d.stats().rows());
    assertSequence(new Expected(model).add("first line of text", true).eos(), s.get(0));
    assertSequence(new Expected(model).add("second line", true).eos(), s.get(1));
    d.train().unpersist();
  }

  @Test
  void completionMasksThePrompt() {
    Path f = write(tmp.resolve("c.jsonl"), "{\"prompt\": \"Q: what is two plus two?\\nA:\", \"completion\": \" four\"}");
    List<TokenSequence> s = run(spec(f.toString(), "completion", 48));
    assertSequence(new Expected(model).add("Q: what is two plus two?\nA:", false).add(" four", true).eos(), s.get(0));
  }

  @Test
  void alpacaRendersInstructionInputAndResponse() {
    Path f = write(tmp.resolve("a.jsonl"),
        "{\"instruction\": \"Add the numbers.\", \"input\": \"2 and 3\", \"output\": \"5\"}",
        "{\"instruction\": \"Greet me.\", \"output\": \"Hello!\"}");
    List<TokenSequence> s = run(spec(f.toString(), "alpaca", 64));
    assertSequence(new Expected(model)
        .add("### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:\n", false).add("5", true)
        .eos(), s.get(0));
    assertSequence(new Expected(model).add("### Instruction:\nGreet me.\n\n### Response:\n", false)
        .add("Hello!", true).eos(), s.get(1));
  }

  @Test
  void chatTrainsOnAssistantTurnsOnly() {
    Path f = write(tmp.resolve("chat.jsonl"), "{\"messages\": [{\"role\": \"system\", \"content\": \"Be kind.\"}, "
        + "{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello there.\"}, "
        + "{\"role\": \"user\", \"content\": \"Bye\"}, {\"role\": \"assistant\", \"content\": \"Goodbye.\"}]}");
    List<TokenSequence> s = run(spec(f.toString(), "chat", 96));
    assertSequence(new Expected(model).add("<|system|>\n", false).add("Be kind.\n", false)
        .add("<|user|>\n", false).add("Hi\n", false).add("<|assistant|>\n", false).add("Hello there.\n", true)
        .add("<|user|>\n", false).add("Bye\n", false).add("<|assistant|>\n", false).add("Goodbye.\n", true)
        .eos(), s.get(0));
  }

  @Test
  void parquetRowsWithNestedMessagesAndRowNumbers() {
    StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("messages", DataTypes.createArrayType(message));
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(1, List.of(RowFactory.create("user", "Ping"), RowFactory.create("assistant", "Pong"))));
    rows.add(RowFactory.create(2, null));
    rows.add(RowFactory.create(3, List.of(RowFactory.create("user", "2+2?"), RowFactory.create("assistant", "4"))));
    Path dir = tmp.resolve("chat parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());

    PreparedData d = DataPipeline.prepare(spark, with(spec(dir.toString(), "chat", 32), null, 0, false, "skip", false),
        model, 3);
    List<TokenSequence> s = d.train().collect();
    d.train().unpersist();
    assertEquals(2, s.size());
    assertSequence(new Expected(model).add("<|user|>\n", false).add("Ping\n", false).add("<|assistant|>\n", false)
        .add("Pong\n", true).eos(), s.get(0));
    assertSequence(new Expected(model).add("<|user|>\n", false).add("2+2?\n", false).add("<|assistant|>\n", false)
        .add("4\n", true).eos(), s.get(1));
    assertEquals(3, d.stats().rows());
    assertEquals(1, d.stats().badRows());
    String bad = d.stats().badRowExamples().get(0);
    assertTrue(bad.matches(".*/chat parquet/part-[^/]*\\.parquet:row 2: field 'messages' is missing"), bad);
  }

  @Test
  void packingFillsEverySequenceAndKeepsMasksAcrossBoundaries() {
    List<String> lines = new ArrayList<>();
    Expected all = new Expected(model);
    for (int i = 0; i < 12; i++) {
      String p = "Q" + i + ": colour?\n";
      String c = i % 2 == 0 ? " Red, like a ripe apple." : " Blue.";
      lines.add("{\"prompt\": \"" + p.replace("\n", "\\n") + "\", \"completion\": \"" + c + "\"}");
      all.add(p, false).add(c, true).eos();
    }
    Path f = write(tmp.resolve("pack.jsonl"), lines.toArray(String[]::new));
    int len = 40;
    DataSpec packed = with(spec(f.toString(), "completion", len), null, 0, true, "skip", false);
    PreparedData d = DataPipeline.prepare(spark, packed, model, 7);
    List<TokenSequence> s = d.train().collect();
    d.train().unpersist();
    assertEquals(0, d.stats().truncatedRows());
    int total = all.ids.size();
    assertTrue(total > 3 * len, "the examples span several sequences");
    assertEquals(total, d.stats().tokens());
    assertEquals((total + len - 1) / len, s.size());
    for (int k = 0; k < s.size(); k++) {
      for (int t = 0; t < len; t++) {
        int at = k * len + t;
        long pad = DataTestSupport.eos(model) == null ? 0 : DataTestSupport.eos(model);
        assertEquals(at < total ? all.ids.get(at) : pad, s.get(k).inputIds()[t], "id " + at);
        assertEquals(at < total ? all.labels.get(at) : -100L, s.get(k).labels()[t], "label " + at);
      }
    }
  }

  @Test
  void truncatesLongExamplesAndDropsThoseLeftWithoutTarget() {
    String longPrompt = "word ".repeat(40);
    Path f = write(tmp.resolve("trunc.jsonl"),
        "{\"prompt\": \"Say:\", \"completion\": \" " + "many words ".repeat(20) + "\"}",
        "{\"prompt\": \"" + longPrompt + "\", \"completion\": \" lost\"}",
        "{\"prompt\": \"Hi\", \"completion\": \" there\"}");
    PreparedData d = DataPipeline.prepare(spark,
        with(spec(f.toString(), "completion", 12), null, 0, false, "skip", false), model, 1);
    List<TokenSequence> s = d.train().collect();
    d.train().unpersist();
    assertEquals(2, s.size());
    assertEquals(2, d.stats().truncatedRows());
    assertEquals(1, d.stats().droppedRows());
    assertEquals(3, d.stats().rows());
    assertSequence(new Expected(model).add("Say:", false).add(" " + "many words ".repeat(20), true), s.get(0));
    assertSequence(new Expected(model).add("Hi", false).add(" there", true).eos(), s.get(1));
    long kept = s.stream().mapToLong(q -> java.util.Arrays.stream(q.inputIds()).count()).sum();
    assertTrue(d.stats().tokens() <= kept);
  }
}
