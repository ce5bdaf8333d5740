package org.lorafleet.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.hub.HubSnapshot;

/**
 * Staging a cached Hub snapshot for executors: link targets are copied as files, once per commit, and a
 * copy cut short is never used. Runs on Hadoop's local file system (file:), the same code path as HDFS.
 */
class HubModelsStagingTest {

  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir
  Path tmp;

  @Test
  void aSnapshotIsStagedOncePerCommitWithLinksResolved() throws IOException {
    Path blobs = Files.createDirectories(tmp.resolve("cache/models--org--m/blobs"));
    Path snap = Files.createDirectories(tmp.resolve("cache/models--org--m/snapshots/" + COMMIT));
    byte[] weights = {1, 2, 3, 4, 5};
    Files.write(blobs.resolve("aaa"), weights);
    Files.writeString(blobs.resolve("bbb"), "{\"model_type\":\"llama\"}");
    Files.createSymbolicLink(snap.resolve("model.safetensors"), Path.of("../../blobs/aaa"));
    Files.createSymbolicLink(snap.resolve("config.json"), Path.of("../../blobs/bbb"));
    HubSnapshot s = new HubSnapshot(snap, "org/m", "main", COMMIT);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(tmp.resolve("jobs/.hub-cache").toUri());

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    String where = HubModels.stage(s, root, new Configuration(), new PrintStream(log, true, StandardCharsets.UTF_8));
    Path staged = Path.of(java.net.URI.create(where));
    assertEquals(tmp.resolve("jobs/.hub-cache/models--org--m/snapshots/" + COMMIT), staged);
    assertFalse(Files.isSymbolicLink(staged.resolve("model.safetensors")), "the executors get the bytes, not links");
    assertArrayEquals(weights, Files.readAllBytes(staged.resolve("model.safetensors")));
    assertEquals("{\"model_type\":\"llama\"}", Files.readString(staged.resolve("config.json")));
    assertTrue(Files.exists(staged.resolve(HubModels.COMPLETE)));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("Staging 2 file(s) of org/m"), log.toString());

    // Staged already: nothing is copied again (the file is left as it is, even if changed under it).
    Files.write(staged.resolve("model.safetensors"), new byte[] {9});
    log.reset();
    assertEquals(where, HubModels.stage(s, root, new Configuration(), new PrintStream(log, true, StandardCharsets.UTF_8)));
    assertEquals("", log.toString(StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {9}, Files.readAllBytes(staged.resolve("model.safetensors")));

    // A copy without its completion marker (cut short) is replaced whole.
    Files.delete(staged.resolve(HubModels.COMPLETE));
    HubModels.stage(s, root, new Configuration(), new PrintStream(log, true, StandardCharsets.UTF_8));
    assertArrayEquals(weights, Files.readAllBytes(staged.resolve("model.safetensors")));
    try (var left = Files.list(staged.getParent())) {
      assertEquals(1, left.count(), "no temporary folder left beside the snapshot");
    }
  }

  @Test
  void theStageRootIsTheConfiguredFolderElseBesideAHadoopOutput() {
    java.util.function.Function<String, org.lorafleet.orchestrator.config.JobConfig> job = extra ->
        org.lorafleet.orchestrator.config.ConfigLoader.parse("name: j\nmodel: {path: org/name" + extra + "}\n"
            + "data: {train: d.jsonl}\noutput: {dir: hdfs://nn:8020/runs/j}\n", "j.yaml", java.util.List.of());
    assertEquals("hdfs://nn:8020/runs/.hub-cache", HubModels.stageRoot(job.apply("")).toString());
    assertEquals("hdfs://nn:8020/shared/hub", HubModels.stageRoot(job.apply(", hub_stage_dir: hdfs://nn:8020/shared/hub"))
        .toString());
    org.lorafleet.orchestrator.config.JobConfig local = org.lorafleet.orchestrator.config.ConfigLoader.parse(
        "name: j\nmodel: {path: org/name}\ndata: {train: d.jsonl}\noutput: {dir: " + tmp.resolve("out") + "}\n",
        "j.yaml", java.util.List.of());
    assertEquals(null, HubModels.stageRoot(local), "a local output gives no shared stage by default");
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.lorafleet.orchestrator.config.ConfigException.class,
        () -> job.apply(", hub_stage_dir: ' '"));
    assertTrue(e.getMessage().contains("model.hub_stage_dir"), e.getMessage());
  }
}
