package org.lorafleet.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.cli.Outcome.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.sweep.ChromiumScreenshot;
import picocli.CommandLine;

/**
 * {@code lorafleet data prepare} and {@code train} with {@code data.quality} through the public CLI,
 * on the shipped example rows with planted duplicates, a leaked eval row and PII.
 */
@Tag("slow")
class DataPrepareCommandTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String row(String prompt, String completion) {
    return JSON.createObjectNode().put("prompt", prompt).put("completion", completion).toString();
  }

  @Test
  void curatesOnceWritesParquetAndAReportThenTrainsOnIt(@TempDir Path tmp) throws IOException {
    Path examples = REPO.resolve("examples/data/debian-descriptions");
    List<String> train = new ArrayList<>(Files.readAllLines(examples.resolve("train.jsonl")).subList(0, 300));
    List<String> eval = Files.readAllLines(examples.resolve("eval.jsonl")).subList(0, 20);
    JsonNode first = JSON.readTree(train.get(0));
    JsonNode evalRow = JSON.readTree(eval.get(0));
    train.add(row(first.get("prompt").asText(), first.get("completion").asText().toUpperCase()));  // exact (case)
    train.add(row(evalRow.get("prompt").asText(), evalRow.get("completion").asText()));  // leaks the eval set
    train.add(row("Package: mailer\nDescription:", " Mail tool. Write to ops.team@example.com or call "
        + "+1 (555) 010-4477 about the server at 192.168.10.20 and its card 4111 1111 1111 1111."));
    Files.write(tmp.resolve("train.jsonl"), train);
    Files.write(tmp.resolve("eval.jsonl"), eval);
    Path config = tmp.resolve("job.yaml");
    Files.writeString(config, String.join("\n",
        "name: curate-test",
        "seed: 5",
        "model: {path: " + REPO.resolve("examples/models/tiny-llama") + "}",
        "lora: {r: 4, alpha: 8, target_modules: [q_proj, v_proj]}",
        "data: {train: " + tmp.resolve("train.jsonl") + ", eval: " + tmp.resolve("eval.jsonl")
            + ", max_seq_len: 64, quality: {enabled: true, keep_removed: true, min_words: 2}}",
        "train: {max_steps: 2, micro_batch_size: 2, eval_every: 0, warmup_steps: 0}",
        "distributed: {workers: 1}",
        "output: {dir: " + tmp.resolve("out") + "}",
        "spark: {master: \"local[2]\"}", ""));

    Path curated = tmp.resolve("curated");
    Outcome prep = run("data", "prepare", "-c", config.toString(), "--out", curated.toString());
    assertEquals(0, prep.code(), prep.err() + prep.out());
    assertTrue(prep.out().contains("Data quality:") && prep.out().contains("Train on it with data.train:"), prep.out());
    JsonNode report = JSON.readTree(curated.resolve("report.json").toFile());
    assertEquals(303, report.get("input_rows").asLong());
    List<String> stages = new ArrayList<>();
    report.get("stages").forEach(s -> stages.add(s.get("stage").asText()));
    assertEquals(List.of("exact_dedup", "near_dedup", "quality_filters", "decontaminate", "pii"), stages);
    assertTrue(report.get("stages").get(0).get("removed").asLong() >= 1, report.toString());
    assertTrue(report.get("stages").get(3).get("removed_by_source").get("data.eval").asLong() >= 1, report.toString());
    JsonNode redacted = report.get("stages").get(4).get("redacted");
    for (String kind : new String[] {"email", "phone", "ipv4", "credit_card"}) {
      assertTrue(redacted.get(kind).asLong() >= 1, kind + " in " + redacted);
    }
    try (Stream<Path> parts = Files.list(curated.resolve("train"))) {
      assertTrue(parts.anyMatch(p -> p.getFileName().toString().endsWith(".parquet")), "Parquet written");
    }
    try (Stream<Path> removed = Files.list(curated.resolve("removed"))) {
      String all = String.join("\n", removed.filter(p -> p.getFileName().toString().startsWith("part-"))
          .flatMap(DataPrepareCommandTest::lines).toList());
      assertTrue(all.contains("\"stage\":\"exact_dedup\"") && all.contains("\"stage\":\"decontaminate\""), all);
    }
    Outcome again = run("data", "prepare", "-c", config.toString(), "--out", curated.toString());
    assertEquals(Main.EXIT_USAGE, again.code(), again.out());
    assertTrue(again.err().contains("exists and is not an empty folder"), again.err());

    // the report renders: one bar per stage that removed rows
    Path png = Path.of("target", "test-artifacts", "data-quality-report.png").toAbsolutePath();
    BufferedImage shot = ChromiumScreenshot.render(curated.resolve("report.html"), png, 900, 900);
    assertTrue(ChromiumScreenshot.pixelsOf(shot, "#4e79a7") > 100, "bars drawn in " + png);

    // training reads the curated Parquet; a run with the stages inline reports them in summary.json
    Outcome trained = run("train", "-c", config.toString(), "--set", "data.train=" + curated.resolve("train"),
        "--set", "data.quality.enabled=false", "--set", "data.quality.keep_removed=false");
    assertEquals(0, trained.code(), trained.err() + trained.out());
    Outcome inline = run("train", "-c", config.toString(), "--set", "output.dir=" + tmp.resolve("out2"));
    assertEquals(0, inline.code(), inline.err() + inline.out());
    JsonNode summary = JSON.readTree(tmp.resolve("out2/summary.json").toFile());
    assertEquals(report.get("output_rows").asLong(), summary.get("data_quality").get("output_rows").asLong());
    assertTrue(Files.isRegularFile(tmp.resolve("out2/data-quality.html")));
    assertTrue(Files.isDirectory(tmp.resolve("out2/data-quality-removed")));
    assertFalse(inline.out().contains("\tat "), inline.out());
  }

  private static Stream<String> lines(Path p) {
    try {
      return Files.readAllLines(p).stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
