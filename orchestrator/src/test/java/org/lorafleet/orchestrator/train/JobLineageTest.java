package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming continues the right run or none (issue "Hardening" 8, 9, 12): a changed job or changed
 * data under the same path is refused naming what changed, the same files spelled otherwise are not,
 * a resume from an older checkpoint keeps its lineage apart from the abandoned steps, and a re-run
 * of a finished job keeps the run's token count.
 */
class JobLineageTest {

  private static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = JobFixtures.spark("local[2]");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static List<String> steps(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList();
    }
  }

  @Test
  void aChangedJobOrChangedDataIsRefusedAndTheSameFilesSpelledOtherwiseAreNot() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("changed-data")), 240);
    Path out = tmp.resolve("changed");
    var first = JobFixtures.run(JobFixtures.config("changed", data, out.toString()), spark, null, null).ok();
    long tokens = first.result().tokens();
    assertTrue(tokens > 0);

    var layout = JobFixtures.run(JobFixtures.config("changed", data, out.toString(), "train.micro_batch_size=1",
        "distributed.mode=async"), spark, null, null);
    assertNotNull(layout.failure(), layout.console());
    String msg = layout.failure().getMessage();
    assertTrue(msg.contains("distributed.mode: 'sync' → 'async'") && msg.contains("train.micro_batch_size: '2' → '1'"),
        msg);

    // The same file as ./…/../…: accepted; nothing is left to train, and the summary keeps the run's tokens.
    Files.createDirectories(data.getParent().resolve("sub"));
    Path spelled = Path.of("./" + Path.of("").toAbsolutePath().relativize(data.getParent()) + "/sub/../"
        + data.getFileName());
    var again = JobFixtures.run(JobFixtures.config("changed", spelled, out.toString()), spark, null, null).ok();
    assertEquals(6, again.result().steps());
    assertEquals(tokens, again.result().tokens(), again.console());
    assertEquals(tokens, new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("tokens").asLong(),
        "a re-run of a finished job keeps the run's tokens in summary.json");

    // The file's contents change under the same path: refused, naming the data.
    Files.writeString(data, "{\"prompt\": \"new row\", \"completion\": \" appended later\"}\n", StandardOpenOption.APPEND);
    var edited = JobFixtures.run(JobFixtures.config("changed", data, out.toString()), spark, null, null);
    assertNotNull(edited.failure(), edited.console());
    assertTrue(edited.failure().getMessage().contains("data.train (content)"), edited.failure().getMessage());
  }

  @Test
  void resumingFromAnOlderCheckpointKeepsItsLineageApartFromTheAbandonedSteps() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("lineage-data")), 240);
    Path out = tmp.resolve("lineage");
    Path ckpt = out.resolve("checkpoints");
    JobFixtures.run(JobFixtures.config("lineage", data, out.toString()), spark, null, null).ok();
    assertEquals(List.of("step-000002", "step-000004", "step-000006"), steps(ckpt));

    // Back to step 2 with keep_last 1: before, pruning by step number deleted the new step 6 and kept the old one.
    var branch = JobFixtures.run(JobFixtures.config("lineage", data, out.toString(), "checkpoint.keep_last=1",
        "train.eval_every=0"), spark, ckpt.resolve("step-000002").toString(), null).ok();
    assertEquals(List.of(2L, 3L, 4L, 5L), branch.result().appliedSteps());
    assertTrue(branch.console().contains("Set aside 2 checkpoint(s)"), branch.console());
    assertEquals(List.of("step-000006"), steps(ckpt));
    String runId = new ObjectMapper().readTree(ckpt.resolve("step-000006/state.json").toFile()).path("run_id").asText();
    assertEquals(List.of("step-000004", "step-000006"), steps(ckpt.resolve("superseded").resolve(runId)),
        "the abandoned steps are kept, not deleted");
    byte[] branchAdapter = Files.readAllBytes(ckpt.resolve("step-000006/adapter_model.safetensors"));

    // resume: auto now continues the branch, never the abandoned step 6.
    var later = JobFixtures.run(JobFixtures.config("lineage", data, out.toString()), spark, null, null).ok();
    assertTrue(later.result().resumedFrom().endsWith("checkpoints/step-000006"), later.result().resumedFrom());
    assertTrue(java.util.Arrays.equals(branchAdapter, Files.readAllBytes(out.resolve("adapter/adapter_model.safetensors"))),
        "the adapter is the branch's");
  }
}
