package org.lorafleet.orchestrator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;

/** Checkpoints on a real HDFS (MiniDFSCluster): atomic write, keep_last, corrupt ones skipped. */
class CheckpointStoreHdfsTest {

  private static MiniDFSCluster cluster;
  private static Configuration conf;
  private static FileSystem fs;

  @BeforeAll
  static void startHdfs(@TempDir java.nio.file.Path base) throws IOException {
    conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    conf = fs.getConf();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static java.nio.file.Path adapterDir(java.nio.file.Path tmp, float value) throws IOException {
    java.nio.file.Path d = Files.createDirectories(tmp.resolve("adapter-" + value));
    Map<String, FloatTensor> t = new LinkedHashMap<>();
    t.put("base_model.model.x.lora_A.weight", new FloatTensor(new long[] {2, 3}, new float[] {value, 1, 2, 3, 4, 5}));
    SafetensorsWriter.write(d.resolve("adapter_model.safetensors"), t, Map.of("format", "pt"));
    Files.writeString(d.resolve("adapter_config.json"),
        "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, \"target_modules\": [\"x\"]}");
    return d;
  }

  private static AdamW.State optimizer(long step) {
    return new AdamW.State(step, Map.of("base_model.model.x.lora_A.weight", new float[] {1, 2, 3, 4, 5, 6}),
        Map.of("base_model.model.x.lora_A.weight", new float[] {6, 5, 4, 3, 2, 1}));
  }

  private static CheckpointState state(long step) {
    return state(step, "run-a");
  }

  private static CheckpointState state(long step, String runId) {
    return new CheckpointState(step, 42, Map.of("lora.r", "2"), 1.5, Map.of("lorafleet", "test"), "name: t\n", runId,
        100 * step);
  }

  private static List<String> names(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
      out.add(st.getPath().getName());
    }
    java.util.Collections.sort(out);
    return out;
  }

  private static String uri(String path) {
    return fs.makeQualified(new Path(path)).toString();
  }

  @Test
  void writesLoadsAndKeepsTheLastK(@TempDir java.nio.file.Path tmp) throws IOException {
    CheckpointStore store = new CheckpointStore(uri("/jobs/keep/checkpoints"), 2, conf);
    assertTrue(store.location().startsWith("hdfs://"), store.location());
    for (long step : new long[] {10, 20, 30}) {
      store.write(adapterDir(tmp, step), optimizer(step), state(step));
    }
    List<Path> folders = store.stepFolders();
    assertEquals(List.of("step-000030", "step-000020"), folders.stream().map(Path::getName).toList());
    Checkpoint c = store.latestValid(msg -> { throw new AssertionError(msg); }).orElseThrow();
    assertEquals(30, c.state().step());
    assertEquals(30f, c.adapter().get("base_model.model.x.lora_A.weight").data()[0]);
    assertEquals(30, c.optimizer().step());
    assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, c.optimizer().secondMoment().get("base_model.model.x.lora_A.weight"));
    assertEquals(Map.of("lora.r", "2"), c.state().fingerprint());
    assertEquals(2, c.adapterSettings().r());
    assertEquals("name: t\n", c.state().config());
    assertFalse(fs.listStatus(new Path("/jobs/keep/checkpoints"))[0].getPath().getName().startsWith(".tmp"));
  }

  @Test
  void skipsTruncatedCorruptAndUnsealedFolders(@TempDir java.nio.file.Path tmp) throws IOException {
    CheckpointStore store = new CheckpointStore(uri("/jobs/corrupt/checkpoints"), 10, conf);
    for (long step : new long[] {1, 2, 3, 4}) {
      store.write(adapterDir(tmp, step), optimizer(step), state(step));
    }
    Path dir = new Path("/jobs/corrupt/checkpoints");
    // step 4: truncated adapter file; step 3: same size, one byte flipped; step 2: no manifest.
    rewrite(new Path(dir, "step-000004/adapter_model.safetensors"), bytes -> java.util.Arrays.copyOf(bytes, 20));
    rewrite(new Path(dir, "step-000003/optimizer.safetensors"), bytes -> {
      bytes[bytes.length - 1] ^= 0x5a;
      return bytes;
    });
    fs.delete(new Path(dir, "step-000002/MANIFEST.json"), false);
    List<String> skipped = new ArrayList<>();
    Checkpoint c = store.latestValid(skipped::add).orElseThrow();
    assertEquals(1, c.state().step());
    assertEquals(3, skipped.size(), skipped.toString());
    assertTrue(skipped.get(0).contains("step-000004") && skipped.get(0).contains("truncated"), skipped.get(0));
    assertTrue(skipped.get(1).contains("step-000003") && skipped.get(1).contains("sha256"), skipped.get(1));
    assertTrue(skipped.get(2).contains("step-000002") && skipped.get(2).contains("MANIFEST.json"), skipped.get(2));
    String msg = assertThrows(IllegalArgumentException.class,
        () -> store.load(new Path(uri("/jobs/corrupt/checkpoints/step-000003")))).getMessage();
    assertTrue(msg.contains("sha256"), msg);
  }

  @Test
  void removesLeftoversOfInterruptedWrites() throws IOException {
    Path dir = new Path("/jobs/tmp/checkpoints");
    fs.mkdirs(new Path(dir, ".tmp-step-000005-abc"));
    CheckpointStore store = new CheckpointStore(uri(dir.toString()), 1, conf);
    assertTrue(store.stepFolders().isEmpty(), "a temporary folder is never a checkpoint");
    assertEquals(List.of("Removed 1 unfinished checkpoint write(s) under " + store.location() + "."), store.recover());
    assertEquals(0, fs.listStatus(dir).length);
  }

  @Test
  void aCompleteTemporaryLeftByACrashIsPromotedNotDeleted(@TempDir java.nio.file.Path tmp) throws IOException {
    Path dir = new Path("/jobs/promote/checkpoints");
    CheckpointStore store = new CheckpointStore(uri(dir.toString()), 3, conf);
    store.write(adapterDir(tmp, 4), optimizer(4), state(4));
    store.write(adapterDir(tmp, 6), optimizer(6), state(6));
    // The crash window of a write: sealed (manifest written) but not yet renamed into place.
    fs.rename(new Path(dir, "step-000006"), new Path(dir, ".tmp-step-000006-crash"));
    List<String> report = store.recover();
    assertEquals(List.of("Promoted the complete checkpoint step-000006 that an interrupted write left as "
        + ".tmp-step-000006-crash."), report);
    assertEquals(6, store.latestValid(m -> { }).orElseThrow().state().step());
    // And a replacement interrupted after the old folder moved aside but before the new one arrived.
    fs.rename(new Path(dir, "step-000006"), new Path(dir, ".old-step-000006-crash"));
    fs.mkdirs(new Path(dir, ".tmp-step-000006-unsealed"));
    store.recover();
    assertEquals(List.of("step-000004", "step-000006"), names(dir));
    assertEquals(6, store.latestValid(m -> { }).orElseThrow().state().step());
  }

  @Test
  void rewritingAStepReplacesItWithNoWindowWithoutIt(@TempDir java.nio.file.Path tmp) throws IOException {
    Path dir = new Path("/jobs/replace/checkpoints");
    CheckpointStore store = new CheckpointStore(uri(dir.toString()), 3, conf);
    store.write(adapterDir(tmp, 8), optimizer(8), state(8, "run-a"));
    store.write(adapterDir(tmp, 8), optimizer(8), state(8, "run-b"));
    assertEquals(List.of("step-000008"), names(dir));
    assertEquals("run-b", store.latestValid(m -> { }).orElseThrow().state().runId());
  }

  @Test
  void anotherRunsCheckpointsAndThisRunsAbandonedFutureAreSetAsideNotPruned(@TempDir java.nio.file.Path tmp)
      throws IOException {
    Path dir = new Path("/jobs/lineage/checkpoints");
    CheckpointStore store = new CheckpointStore(uri(dir.toString()), 1, conf);
    CheckpointStore keepAll = new CheckpointStore(uri(dir.toString()), 10, conf);
    for (long step : new long[] {10, 20, 30}) {
      keepAll.write(adapterDir(tmp, step), optimizer(step), state(step, "run-a"));
    }
    // Run a resumes from its step 10 (e.g. --resume …/step-000010): 20 and 30 are its abandoned future.
    assertEquals(2, store.setAside("run-a", 10));
    store.write(adapterDir(tmp, 12), optimizer(12), state(12, "run-a"));
    assertEquals(List.of("step-000012"), store.stepFolders().stream().map(Path::getName).toList(),
        "keep_last 1 kept the checkpoint just written, not the stale step 30");
    assertEquals(12, store.latestValid(m -> { }).orElseThrow().state().step());
    assertEquals(List.of("step-000020", "step-000030"), names(new Path(dir, "superseded/run-a")));
    // A fresh run in the same dir: every checkpoint of run a moves aside; nothing is deleted.
    assertEquals(1, store.setAside("run-b", -1));
    assertTrue(store.stepFolders().isEmpty());
    assertTrue(store.latestValid(m -> { }).isEmpty(), "auto-resume never picks another run's checkpoint");
    assertEquals(List.of("step-000012", "step-000020", "step-000030"), names(new Path(dir, "superseded/run-a")));
    assertEquals(30, store.load(new Path(dir, "superseded/run-a/step-000030")).state().step(), "kept loadable");
  }

  private static void rewrite(Path p, java.util.function.UnaryOperator<byte[]> edit) throws IOException {
    byte[] bytes;
    try (FSDataInputStream in = fs.open(p)) {
      bytes = in.readAllBytes();
    }
    try (OutputStream out = fs.create(p, true)) {
      out.write(edit.apply(bytes));
    }
  }
}
