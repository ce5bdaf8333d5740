package org.lorafleet.orchestrator.model;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.config.ModelConfig;
import org.lorafleet.orchestrator.hub.HubClient;
import org.lorafleet.orchestrator.hub.HubEnvironment;
import org.lorafleet.orchestrator.hub.HubModelId;
import org.lorafleet.orchestrator.hub.HubSnapshot;

/**
 * {@code model.path} given as a Hub id ({@code Qwen/Qwen2.5-0.5B}, {@code hf://org/name@rev}): the driver
 * resolves the revision once and downloads into the shared cache ({@link HubClient}); executors never call
 * the Hub. With a local master they read the driver's cache folder; on a cluster the snapshot is staged
 * once per commit in {@code <stage root>/models--org--name/snapshots/<commit>/} ({@link #stageRoot}), shared
 * by every job staging to the same root, and executors read it from there. Blocks while downloading and
 * staging.
 */
public final class HubModels {

  /** Marks a staged snapshot as whole; written last. */
  static final String COMPLETE = ".complete";

  /**
   * @param config the job with {@code model.path} replaced by the folder the run reads
   * @param snapshot what the Hub id resolved to, or null when {@code model.path} was a folder
   * @param hubId {@code model.path} as the user wrote it when it was a Hub id, else null
   */
  public record Resolved(JobConfig config, HubSnapshot snapshot, String hubId) {

    /** The name adapters record as their base ({@code base_model_name_or_path}): the Hub id when there is one. */
    public String baseModelName() {
      return hubId != null ? snapshot.repo() : config.model().path();
    }
  }

  private HubModels() {}

  /** Resolves {@code cfg.model().path()}; a folder is returned as it is, without any request. */
  public static Resolved resolve(JobConfig cfg, String master, Configuration hadoop, PrintStream out) {
    String path = cfg.model().path();
    if (!HubModelId.looksLikeHubId(path)) {
      return new Resolved(cfg, null, null);
    }
    HubModelId id = HubModelId.parse(path);
    HubEnvironment env = HubEnvironment.fromSystem();
    out.println("Model " + id + " from " + env.endpoint() + (env.offline() ? " (offline: cache only)" : "")
        + ", cache " + env.cacheDir());
    HubSnapshot snap = new HubClient(env).snapshot(id, out);
    String location = snap.dir().toString();
    org.apache.hadoop.fs.Path root = stageRoot(cfg);
    if (!master.startsWith("local") && root != null) {
      location = stage(snap, root, hadoop, out);
    }
    out.println("Model " + id + " is commit " + snap.commit() + ", read from " + location);
    return new Resolved(cfg.withModel(withPath(cfg.model(), location)), snap, path);
  }

  /**
   * Where a cluster job stages Hub snapshots: {@code model.hub_stage_dir}, else {@code .hub-cache} beside an
   * output folder on a Hadoop file system; null when neither (executors then read the driver's cache path,
   * which only works where they share its disk).
   */
  static org.apache.hadoop.fs.Path stageRoot(JobConfig cfg) {
    if (cfg.model().hubStageDir() != null) {
      return new org.apache.hadoop.fs.Path(cfg.model().hubStageDir());
    }
    org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(cfg.output().dir());
    return LocalModelDir.isLocal(output.toUri().toString()) || output.getParent() == null ? null
        : new org.apache.hadoop.fs.Path(output.getParent(), ".hub-cache");
  }

  /** A folder as it is, or the cached snapshot folder of a Hub id (downloaded into the cache if missing). */
  public static String folder(String pathOrHubId, PrintStream out) {
    if (!HubModelId.looksLikeHubId(pathOrHubId)) {
      return pathOrHubId;
    }
    return new HubClient(HubEnvironment.fromSystem()).snapshot(HubModelId.parse(pathOrHubId), out).dir().toString();
  }

  private static ModelConfig withPath(ModelConfig m, String path) {
    return new ModelConfig(path, m.backend(), m.adapter(), m.dtype(), m.quantize(), m.doubleQuant(), m.hubStageDir());
  }

  /**
   * Copies the snapshot's files (symlinks followed) to {@code root}'s {@code models--org--name/snapshots/<commit>}
   * unless a whole copy is there already; returns its location.
   */
  static String stage(HubSnapshot snap, org.apache.hadoop.fs.Path root, Configuration hadoop, PrintStream out) {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root,
        "models--" + snap.repo().replace("/", "--") + "/snapshots/" + snap.commit());
    try {
      FileSystem fs = target.getFileSystem(hadoop);
      String where = fs.makeQualified(target).toString();
      if (fs.exists(new org.apache.hadoop.fs.Path(target, COMPLETE))) {
        return where;
      }
      List<Path> files;
      try (Stream<Path> list = Files.list(snap.dir())) {
        files = list.filter(Files::isRegularFile).sorted().collect(Collectors.toList()); // follows the links
      }
      out.println("Staging " + files.size() + " file(s) of " + snap.repo() + " for the executors at " + where);
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(),
          "." + snap.commit() + ".tmp-" + ProcessHandle.current().pid());
      fs.delete(tmp, true);
      fs.mkdirs(tmp);
      for (Path f : files) {
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(f.toRealPath().toUri()),
            new org.apache.hadoop.fs.Path(tmp, f.getFileName().toString()));
      }
      fs.create(new org.apache.hadoop.fs.Path(tmp, COMPLETE), true).close();
      fs.delete(target, true); // an incomplete copy of an earlier, interrupted staging
      if (!fs.rename(tmp, target)) {
        if (fs.exists(new org.apache.hadoop.fs.Path(target, COMPLETE))) {
          fs.delete(tmp, true); // another job staged the same commit at the same time
          return where;
        }
        throw new IOException("rename of " + tmp + " to " + target + " returned false");
      }
      return where;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stage " + snap.repo() + " (commit " + snap.commit() + ") under " + root
          + " for the executors.", e);
    }
  }
}
