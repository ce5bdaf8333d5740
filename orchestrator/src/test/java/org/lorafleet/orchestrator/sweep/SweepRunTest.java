package org.lorafleet.orchestrator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.EarlyStoppingConfig;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.config.SweepFile;

/**
 * Real sweeps on Spark local[2] with the tiny example model: trials really train (2 sync workers
 * each, over gRPC) and are ranked by the metric they measured; successive halving stops trials at
 * rungs; a failed trial is recorded and the sweep goes on; an interrupted sweep resumes without
 * rerunning finished trials and ends where an uninterrupted one does; the report renders in Chromium.
 */
@Tag("slow")
class SweepRunTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;
  private static SweepRunner.Result grid;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() throws IOException {
    List<String> rows = Files.readAllLines(REPO.resolve("examples/data/debian-descriptions/train.jsonl"));
    Files.write(tmp.resolve("train.jsonl"), rows.subList(0, 240));
    Files.writeString(tmp.resolve("job.yaml"), String.join("\n",
        "name: base",
        "seed: 7",
        "model: {path: " + REPO.resolve("examples/models/tiny-llama") + "}",
        "lora: {r: 4, alpha: 8, target_modules: [q_proj, v_proj, down_proj]}",
        "data: {train: " + tmp.resolve("train.jsonl") + ", eval_fraction: 0.1, format: completion, max_seq_len: 64}",
        "train: {max_steps: 6, micro_batch_size: 2, lr: 5.0e-3, warmup_steps: 1, eval_every: 3, eval_max_sequences: 4}",
        "distributed: {workers: 2, mode: sync, step_timeout: 60s}",
        "checkpoint: {every_steps: 2, keep_last: 2}",
        ""));
    Files.writeString(tmp.resolve("grid.yaml"), String.join("\n",
        "sweep:",
        "  name: grid",
        "  base: job.yaml",
        "  method: grid",
        "parameters:",
        "  train.lr: [1.0e-3, 2.0e-2]",
        "  lora.r: [2, 4]",
        ""));
    Files.writeString(tmp.resolve("asha.yaml"), String.join("\n",
        "sweep:",
        "  name: asha",
        "  base: job.yaml",
        "  set: [train.max_steps=8]",
        "  method: random",
        "  trials: 5",
        "  seed: 11",
        "parameters:",
        "  train.lr: {log_uniform: [1.0e-4, 3.0e-2]}",
        "  lora.r: [2, 4]",
        "early_stopping:",
        "  min_steps: 2",
        "  reduction_factor: 2",
        ""));
    spark = SparkSession.builder().master("local[2]").appName("lorafleet-sweep-test")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static SweepPlan plan(String file, String... overrides) {
    return SweepPlan.build(SweepFile.load(tmp.resolve(file).toString(), List.of(overrides), ConfigLoader.LOCAL_FILES));
  }

  private record Run(SweepRunner.Result result, String console) {}

  private static Run run(SweepPlan plan, Map<String, String> failAt, int haltAfterRuns) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    SweepRunner.Result r = SweepRunner.run(plan, spark, new SweepRunner.Options(out, false, failAt, haltAfterRuns));
    return new Run(r, buf.toString(StandardCharsets.UTF_8));
  }

  /** The 4-trial grid, run once for the tests that compare with it. */
  private static synchronized SweepRunner.Result grid() {
    if (grid == null) {
      grid = run(plan("grid.yaml", "sweep.output_dir=" + tmp.resolve("out/grid")), Map.of(), 0).result();
    }
    return grid;
  }

  @Test
  void gridTrialsTrainAndAreRankedByTheirMeasuredEvalLoss() throws IOException {
    SweepRunner.Result r = grid();
    assertFalse(r.halted());
    assertEquals(4, r.ranked().size());
    List<Double> metrics = new ArrayList<>();
    for (SweepRunner.TrialSummary t : r.ranked()) {
      assertEquals("completed", t.status(), t.id() + ": " + t.error());
      assertEquals(6, t.steps());
      Path dir = Path.of(t.outputDir());
      JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
      assertEquals(summary.get("final_eval_loss").asDouble(), t.metric(), 0.0, t.id() + " metric is its eval loss");
      assertTrue(summary.get("final_eval_loss").asDouble() < summary.get("initial_eval_loss").asDouble(), t.id());
      JsonNode adapterConfig = JSON.readTree(dir.resolve("adapter/adapter_config.json").toFile());
      assertEquals(Integer.parseInt(t.params().get("lora.r")), adapterConfig.get("r").asInt(), t.id());
      assertEquals(Double.parseDouble(t.params().get("train.lr")),
          ConfigLoader.load(dir.resolve("config.yaml").toString()).train().lr(), t.id() + " ran with its learning rate");
      metrics.add(t.metric());
    }
    List<Double> sorted = new ArrayList<>(metrics);
    sorted.sort(Double::compare);
    assertEquals(sorted, metrics, "ranked by eval loss, best first");
    assertEquals(4, metrics.stream().distinct().count(), "the trials differ");

    List<String> csv = Files.readAllLines(Path.of(r.outputDir().replace("file:", "")).resolve("leaderboard.csv"));
    assertEquals("rank,trial,status,eval_loss,train.lr,lora.r,steps,planned_steps,seconds,error,output_dir", csv.get(0));
    assertEquals(5, csv.size());
    for (int i = 0; i < 4; i++) {
      assertTrue(csv.get(i + 1).startsWith((i + 1) + "," + r.ranked().get(i).id() + ",completed,"), csv.get(i + 1));
    }
    JsonNode board = JSON.readTree(Path.of(r.outputDir().replace("file:", "")).resolve("leaderboard.json").toFile());
    assertEquals(r.ranked().get(0).id(), board.get("trials").get(0).get("trial").asText());
  }

  @Test
  void theReportRendersEveryTrialsCurvesInChromium() throws IOException {
    SweepRunner.Result r = grid();
    Path html = Path.of(java.net.URI.create(r.report()));
    String text = Files.readString(html);
    assertFalse(text.contains("src=") || text.contains("<link") || text.contains("<script"),
        "the report is self-contained");
    Path png = Path.of("target", "test-artifacts", "sweep-report.png").toAbsolutePath();
    BufferedImage shot = ChromiumScreenshot.render(html, png, 1280, 1800);
    for (int i = 0; i < 4; i++) {
      String color = SweepReport.colorOf(i);
      int n = ChromiumScreenshot.pixelsOf(shot, color);
      // The leaderboard swatch has 144 pixels; curves, eval markers and two scatter points add far more.
      assertTrue(n > 144 + 300, "trial " + (i + 1) + " (" + color + ") has only " + n + " pixels in " + png);
    }
  }

  @Test
  void earlyStoppingStopsTrialsAtRungsAndAFailedTrialDoesNotStopTheSweep() throws IOException {
    SweepPlan plan = plan("asha.yaml", "sweep.output_dir=" + tmp.resolve("out/asha"));
    // Halt after two runs (trial-001 reaches rungs 0 and 1), then run again: it resumes from its checkpoint.
    Run first = run(plan, Map.of("trial-005", "0:1:always"), 2);
    assertTrue(first.result().halted(), first.console());
    assertEquals("running", first.result().ranked().stream().filter(t -> t.id().equals("trial-001")).findFirst()
        .orElseThrow().status(), first.console());
    Run second = run(plan, Map.of("trial-005", "0:1:always"), 0);
    assertFalse(second.result().halted(), second.console());
    assertTrue(second.console().contains("[trial-001] Resuming from") && second.console().contains("step-000004"),
        second.console());

    Map<String, SweepRunner.TrialSummary> byId = new HashMap<>();
    second.result().ranked().forEach(t -> byId.put(t.id(), t));
    SweepRunner.TrialSummary failed = byId.get("trial-005");
    assertEquals("failed", failed.status());
    assertTrue(failed.error().contains("Injected failure"), failed.error());
    assertEquals("failed", second.result().ranked().get(4).status(), "failed trials rank last");

    // Replay the stopping rule over the recorded rung metrics, in the order the trials ran (one at a time).
    EarlyStoppingConfig es = plan.file().earlyStopping();
    Asha replay = new Asha(es, SweepConfig.Goal.MINIMIZE);
    JsonNode state = JSON.readTree(tmp.resolve("out/asha/sweep-state.json").toFile());
    int stopped = 0;
    for (JsonNode t : state.get("trials")) {
      String id = t.get("trial").asText();
      String status = t.get("status").asText();
      if (status.equals("failed")) {
        continue;
      }
      Map<Long, Double> eval = evalLosses(Path.of(t.get("output_dir").asText()).resolve("metrics.jsonl"));
      boolean goesOn = true;
      JsonNode rungs = t.get("rungs");
      for (int k = 0; k < rungs.size(); k++) {
        long step = rungs.get(k).get("step").asLong();
        assertEquals(es.rungStep(k), step, id + " rung " + k);
        double m = rungs.get(k).get("metric").asDouble();
        assertEquals(eval.get(step), m, 0.0, id + ": the rung metric is the eval loss measured at step " + step);
        goesOn = replay.reached(k, m);
        assertTrue(goesOn || k == rungs.size() - 1, id + " went on after a rung it should have stopped at");
      }
      if (status.equals("stopped")) {
        stopped++;
        assertFalse(goesOn, id + " was stopped although the rule lets it go on");
        assertTrue(byId.get(id).steps() < 8, id);
      } else {
        assertEquals("completed", status, id);
        assertTrue(goesOn, id + " completed although the rule stops it");
        assertEquals(8, byId.get(id).steps(), id);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), trainSteps(Path.of(byId.get(id).outputDir())
            .resolve("metrics.jsonl")), id + ": metrics.jsonl holds every step once over all its runs");
      }
    }
    assertTrue(stopped >= 1, "with η=2 and 4 trials at least one is stopped early:\n" + second.console());

    // trial-001 (first at every rung, so never stopped) ran in three segments; in one go it ends the same.
    SweepPlan whole = plan("asha.yaml", "sweep.output_dir=" + tmp.resolve("out/asha-whole"), "sweep.trials=1",
        "early_stopping.min_steps=100");
    SweepRunner.TrialSummary once = run(whole, Map.of(), 0).result().ranked().get(0);
    assertEquals("completed", once.status());
    assertEquals(once.metric(), byId.get("trial-001").metric(), 1e-4 * once.metric(),
        "segmented and whole runs of trial-001 end with the same eval loss");
  }

  @Test
  void anInterruptedSweepResumesWithoutRerunningFinishedTrials() throws IOException {
    SweepPlan plan = plan("grid.yaml", "sweep.output_dir=" + tmp.resolve("out/resumed"));
    Run first = run(plan, Map.of(), 2);
    assertTrue(first.result().halted());
    Path trial1 = tmp.resolve("out/resumed/trials/trial-001/summary.json");
    String summaryBefore = Files.readString(trial1);
    assertFalse(Files.exists(tmp.resolve("out/resumed/trials/trial-003")), "trial-003 did not start");

    Run second = run(plan, Map.of(), 0);
    assertTrue(second.console().contains("(2 finished in an earlier run are kept)"), second.console());
    assertFalse(second.console().contains("[trial-001] Starting"), second.console());
    assertFalse(second.console().contains("[trial-002] Starting"), second.console());
    assertTrue(second.console().contains("[trial-003] Starting"), second.console());
    assertEquals(summaryBefore, Files.readString(trial1), "a finished trial is not rerun");

    Map<String, Double> expected = new HashMap<>();
    grid().ranked().forEach(t -> expected.put(t.id(), t.metric()));
    assertEquals(grid().ranked().stream().map(SweepRunner.TrialSummary::id).toList(),
        second.result().ranked().stream().map(SweepRunner.TrialSummary::id).toList(), "same ranking");
    for (SweepRunner.TrialSummary t : second.result().ranked()) {
      assertEquals(expected.get(t.id()), t.metric(), 1e-5 * Math.abs(t.metric()), t.id());
    }
  }

  @Test
  void trialsRunInParallelInOneSparkApplication() {
    // One worker with the double micro-batch computes the grid's two-worker steps; the sums differ only in
    // rounding, which AdamW's first steps magnify at lr 2e-2 (m/√v of near-zero gradients), hence 1%.
    SweepPlan plan = plan("grid.yaml", "sweep.output_dir=" + tmp.resolve("out/parallel"), "sweep.parallel=2",
        "sweep.set=[distributed.workers=1,train.micro_batch_size=4]");
    Run r = run(plan, Map.of(), 0);
    String c = r.console();
    int firstDone = c.indexOf("] Done in");
    assertTrue(firstDone > 0, c);
    String beforeFirstDone = c.substring(0, firstDone);
    assertTrue(beforeFirstDone.contains("Training grid-trial-001") && beforeFirstDone.contains("Training grid-trial-002"),
        "two trials are training before either finishes:\n" + c);
    Map<String, Double> expected = new HashMap<>();
    grid().ranked().forEach(t -> expected.put(t.id(), t.metric()));
    for (SweepRunner.TrialSummary t : r.result().ranked()) {
      assertEquals("completed", t.status(), t.id() + ": " + t.error());
      assertEquals(expected.get(t.id()), t.metric(), 1e-2 * Math.abs(t.metric()), t.id());
    }
  }

  @Test
  void aChangedSweepFileIsRefusedInTheSameFolderAndTheFolderIsLeftAsItWas() throws IOException {
    grid();
    Path folder = tmp.resolve("out/grid");
    String sweepYaml = Files.readString(folder.resolve("sweep.yaml"));
    String state = Files.readString(folder.resolve("sweep-state.json"));
    SweepPlan changed = plan("asha.yaml", "sweep.output_dir=" + folder, "sweep.name=grid");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> run(changed, Map.of(), 0));
    assertTrue(e.getMessage().contains("holds results of a different sweep: trial-001 ran with"), e.getMessage());
    assertEquals(sweepYaml, Files.readString(folder.resolve("sweep.yaml")));
    assertEquals(state, Files.readString(folder.resolve("sweep-state.json")));
  }

  private static Map<Long, Double> evalLosses(Path metrics) throws IOException {
    Map<Long, Double> out = new HashMap<>();
    for (String line : Files.readAllLines(metrics)) {
      JsonNode n = JSON.readTree(line);
      if (n.has("eval_loss")) {
        out.put(n.get("step").asLong(), n.get("eval_loss").asDouble());
      }
    }
    return out;
  }

  private static List<Long> trainSteps(Path metrics) throws IOException {
    List<Long> out = new ArrayList<>();
    for (String line : Files.readAllLines(metrics)) {
      JsonNode n = JSON.readTree(line);
      if (n.has("loss")) {
        out.add(n.get("step").asLong());
      }
    }
    return out;
  }
}
