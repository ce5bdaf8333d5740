package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.data.TokenSequence;
import org.lorafleet.orchestrator.model.BaseModels;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;

/**
 * Real jobs on Spark local[2] with the gRPC parameter server and a real HDFS (MiniDFSCluster):
 * exact sync equivalence, checkpoint/kill/resume on hdfs://, and the adapter a job writes.
 */
@Tag("slow")
class DistributedTrainingTest {

  private static SparkSession spark;
  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    spark = JobFixtures.spark("local[2]");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void syncWithTwoWorkersEqualsOneWorkerWithTheDoubleBatch() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("eq")), 240);
    Path two = tmp.resolve("eq/two");
    Path one = tmp.resolve("eq/one");
    var a = JobFixtures.run(JobFixtures.config("eq-two", data, two.toString()), spark, null, null).ok();
    var b = JobFixtures.run(JobFixtures.config("eq-one", data, one.toString(), "distributed.workers=1",
        "train.micro_batch_size=4"), spark, null, null).ok();
    Map<Long, Double> la = JobFixtures.losses(two.resolve("metrics.jsonl"));
    Map<Long, Double> lb = JobFixtures.losses(one.resolve("metrics.jsonl"));
    assertEquals(6, la.size(), a.console());
    assertEquals(la.keySet(), lb.keySet());
    for (long step : la.keySet()) {
      assertEquals(lb.get(step), la.get(step), 1e-4 * Math.abs(lb.get(step)), "loss at step " + step);
    }
    double diff = JobFixtures.maxRelativeDifference(JobFixtures.adapter(two.resolve("adapter")),
        JobFixtures.adapter(one.resolve("adapter")));
    assertTrue(diff < 1e-3, "final adapters differ by " + diff);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), a.result().appliedSteps());
    assertEquals(2, a.result().workers().size());
    // local[2]: two tasks in one executor get one core each; one task alone gets both.
    a.result().workers().forEach(w -> assertEquals(1, w.threads(), "threads of two tasks on 2 cores: " + w));
    assertEquals(2, b.result().workers().get(0).threads(), "threads of one task on 2 cores");
  }

  @Test
  void checkpointsToHdfsSurviveAKilledJobAndResumeToTheSameResult() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("ck")), 240);
    String hdfsOut = fs.makeQualified(new org.apache.hadoop.fs.Path("/jobs/ck")).toString();
    Path reference = tmp.resolve("ck/reference");
    JobFixtures.run(JobFixtures.config("ck-ref", data, reference.toString()), spark, null, null).ok();

    // Worker 1 dies at step 4 on every stage attempt, so Spark gives up: the job dies after checkpoint 4.
    var killed = JobFixtures.run(JobFixtures.config("ck", data, hdfsOut), spark, null, "1:4:always");
    assertNotNull(killed.failure(), "the injected failure should stop the job:\n" + killed.console());
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/jobs/ck/checkpoints/step-000004/MANIFEST.json")),
        killed.console());
    // A newer, corrupt checkpoint (truncated copy) must be reported and skipped.
    org.apache.hadoop.fs.Path bad = new org.apache.hadoop.fs.Path("/jobs/ck/checkpoints/step-000005");
    FileUtil.copy(fs, new org.apache.hadoop.fs.Path("/jobs/ck/checkpoints/step-000004"), fs, bad, false, fs.getConf());
    try (var o = fs.create(new org.apache.hadoop.fs.Path(bad, "adapter_model.safetensors"), true)) {
      o.write(new byte[] {1, 2, 3});
    }

    var resumed = JobFixtures.run(JobFixtures.config("ck", data, hdfsOut), spark, null, null).ok();
    assertTrue(resumed.console().contains("Skipping checkpoint") && resumed.console().contains("step-000005"),
        resumed.console());
    assertTrue(resumed.result().resumedFrom().endsWith("step-000004"), resumed.result().resumedFrom());
    assertEquals(List.of(4L, 5L), resumed.result().appliedSteps(), "only the remaining steps run");

    Path local = Files.createDirectories(tmp.resolve("ck/resumed"));
    fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/jobs/ck/adapter"),
        new org.apache.hadoop.fs.Path(local.resolve("adapter").toUri()));
    fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/jobs/ck/metrics.jsonl"),
        new org.apache.hadoop.fs.Path(local.resolve("metrics.jsonl").toUri()));
    Map<Long, Double> ref = JobFixtures.losses(reference.resolve("metrics.jsonl"));
    Map<Long, Double> res = JobFixtures.losses(local.resolve("metrics.jsonl"));
    for (long step : res.keySet()) {
      assertEquals(ref.get(step), res.get(step), 1e-4 * Math.abs(ref.get(step)), "loss at step " + step);
    }
    double diff = JobFixtures.maxRelativeDifference(JobFixtures.adapter(local.resolve("adapter")),
        JobFixtures.adapter(reference.resolve("adapter")));
    assertTrue(diff < 1e-3, "resumed adapter differs from the uninterrupted run's by " + diff);
  }

  @Test
  void theEvalLossDependsOnNeitherTheBatchSizeNorTheWorkerCount() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("layouts")), 240);
    // 2 workers × 8 and 1 worker × 16: the same 16 sequences per step, the same sync math.
    var two = JobFixtures.run(JobFixtures.config("layout", data, tmp.resolve("layouts/2x8").toString(),
        "distributed.workers=2", "train.micro_batch_size=8", "train.max_steps=3", "train.eval_every=0",
        "train.eval_max_sequences=0"), spark, null, null).ok();
    var one = JobFixtures.run(JobFixtures.config("layout", data, tmp.resolve("layouts/1x16").toString(),
        "distributed.workers=1", "train.micro_batch_size=16", "train.max_steps=3", "train.eval_every=0",
        "train.eval_max_sequences=0"), spark, null, null).ok();
    double i2 = two.result().initialEvalLoss();
    double f2 = two.result().finalEvalLoss();
    assertEquals(i2, one.result().initialEvalLoss(), 1e-6 * i2, "before training: the whole set, whatever the layout");
    assertEquals(f2, one.result().finalEvalLoss(), 1e-5 * f2, "after training");
    assertTrue(f2 < i2, two.console());
    // A cap in sequences is the same subset for every layout too.
    var capped2 = JobFixtures.run(JobFixtures.config("layout", data, tmp.resolve("layouts/cap2").toString(),
        "distributed.workers=2", "train.micro_batch_size=2", "train.max_steps=1", "train.eval_max_sequences=6"),
        spark, null, null).ok();
    var capped1 = JobFixtures.run(JobFixtures.config("layout", data, tmp.resolve("layouts/cap1").toString(),
        "distributed.workers=1", "train.micro_batch_size=4", "train.max_steps=1", "train.eval_max_sequences=6"),
        spark, null, null).ok();
    assertEquals(capped2.result().initialEvalLoss(), capped1.result().initialEvalLoss(),
        1e-6 * capped1.result().initialEvalLoss());
  }

  @Test
  void aBf16JobHoldsTheBaseInBfloat16AndTrainsLikeTheFloat32One() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(org.lorafleet.trainer.nn.OneDnnMatmul.available(),
        "this CPU has neither AVX512_BF16 nor AMX");
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("bf16")), 240);
    var fp32 = JobFixtures.run(JobFixtures.config("fp32", data, tmp.resolve("bf16/fp32").toString()), spark, null, null)
        .ok();
    var bf16 = JobFixtures.run(JobFixtures.config("bf16", data, tmp.resolve("bf16/bf16").toString(),
        "train.precision=bf16"), spark, null, null).ok();
    assertTrue(bf16.console().contains("held as bfloat16 (bf16 matmuls)"), bf16.console());
    assertTrue(bf16.result().finalEvalLoss() < bf16.result().initialEvalLoss(), bf16.console());
    assertEquals(fp32.result().finalEvalLoss(), bf16.result().finalEvalLoss(), 0.02 * fp32.result().finalEvalLoss(),
        "final eval loss, bf16 against fp32");
  }

  @Test
  void localSgdAndAsyncJobsTrainToCompletion() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("modes")), 240);
    for (String mode : new String[] {"local-sgd", "async"}) {
      Path outDir = tmp.resolve("modes/" + mode);
      var run = JobFixtures.run(JobFixtures.config("mode-" + mode, data, outDir.toString(),
          "distributed.mode=" + mode, "distributed.local_steps=3", "distributed.staleness=1", "train.max_steps=6"),
          spark, null, null).ok();
      if (mode.equals("local-sgd")) {
        // 6 optimizer steps = 2 rounds of 3; cadences count steps too: every_steps 2 and eval_every 3 fall in
        // the first round, so it is checkpointed and evaluated (counted in rounds, neither happened mid-run).
        assertEquals(6, run.result().steps(), run.console());
        try (var s = Files.list(outDir.resolve("checkpoints"))) {
          assertEquals(List.of("step-000003", "step-000006"), s.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("step-")).sorted().toList(), run.console());
        }
        assertTrue(run.console().contains("eval  step     3"), run.console());
      } else {
        // Async: updates in flight when the budget is reached still land (at most workers − 1 more).
        long steps = run.result().steps();
        assertTrue(steps >= 6 && steps <= 6 + 1, "async applied " + steps + " updates\n" + run.console());
      }
      assertEquals(List.of(), JobFixtures.duplicates(run.result().appliedSteps()), mode + ": steps applied twice");
      assertTrue(run.result().finalEvalLoss() < run.result().initialEvalLoss(), mode + ":\n" + run.console());
      assertTrue(Files.exists(outDir.resolve("adapter/adapter_model.safetensors")), mode);
    }
  }

  @Test
  void theWrittenAdapterReloadsWithTheReportedEvalLoss() throws IOException {
    Path data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("reload")), 240);
    Path outDir = tmp.resolve("reload/out");
    var run = JobFixtures.run(JobFixtures.config("reload", data, outDir.toString()), spark, null, null).ok();
    assertTrue(run.result().finalEvalLoss() < run.result().initialEvalLoss(), run.console());
    assertTrue(run.console().contains("Adapter written to " + run.result().adapterDir()), run.console());
    assertTrue(Files.exists(outDir.resolve("summary.json")) && Files.exists(outDir.resolve("config.yaml")));

    // Reload the PEFT folder into a fresh model and score the same eval set the job used.
    CausalLm model = BaseModels.replica(JobFixtures.MODEL.toString());
    LoraAdapter adapter = PeftAdapterFolder.load(outDir.resolve("adapter"), model);
    var cfg = JobFixtures.config("reload", data, outDir.toString());
    var prepared = org.lorafleet.orchestrator.data.DataPipeline.prepare(spark, JobConversions.data(cfg.data()),
        cfg.model().path(), cfg.seed());
    List<TokenSequence> eval = prepared.eval();
    prepared.train().unpersist(false);
    DriverEval scorer = new DriverEval(model, adapter.settings(), eval, cfg.train().microBatchSize(),
        cfg.train().evalMaxSequences());
    Map<String, FloatTensor> weights = adapter.copyOfParameters();
    double reloaded = scorer.evaluate(weights).loss();
    assertEquals(run.result().finalEvalLoss(), reloaded, 1e-5 * reloaded);
    // The eval command's path: base vs the written adapter on the same eval data.
    var lines = Evaluations.baseAndAdapter(cfg, spark, outDir.resolve("adapter").toString());
    assertEquals(2, lines.size());
    assertEquals(run.result().initialEvalLoss(), lines.get(0).loss(), 1e-5 * reloaded, "base = fresh adapter (B = 0)");
    assertEquals(reloaded, lines.get(1).loss(), 1e-5 * reloaded);
  }
}
