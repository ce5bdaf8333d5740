package org.lorafleet.orchestrator.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.orchestrator.io.LocalFiles;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * Step folders under one checkpoint directory on any Hadoop file system:
 * <pre>
 * step-000400/ adapter_config.json  adapter_model.safetensors  optimizer.safetensors  state.json  MANIFEST.json
 * </pre>
 * A write goes to {@code .tmp-step-000400-<uuid>/}, the manifest (sizes + sha256) is written last,
 * then the folder is renamed into place (a folder of the same step is first renamed aside to
 * {@code .old-step-…}, and deleted after), and the oldest beyond {@code keepLast} are deleted. At
 * every instant a complete newest checkpoint exists under one of those names, and {@link #recover}
 * puts it back in place after a crash. The top-level step folders hold one run lineage only
 * ({@link #setAside}): pruning and auto-resume by step number are then safe. All calls block on
 * file-system I/O.
 */
public final class CheckpointStore {

  static final String STATE = "state.json";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final List<String> REQUIRED = List.of(PeftAdapterFolder.CONFIG, PeftAdapterFolder.WEIGHTS, OPTIMIZER, STATE);
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  /** {@code .tmp-step-000400-<uuid>} or {@code .old-step-000400-<uuid>}: group 1 is the step folder's name. */
  private static final Pattern LEFTOVER = Pattern.compile("\\.(?:tmp|old)-(step-\\d+)-.*");
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  /** Folder under the checkpoint dir that keeps the checkpoints of other runs, by run id. */
  public static final String SUPERSEDED = "superseded";

  private final FileSystem fs;
  private final Path dir;
  private final int keepLast;

  public CheckpointStore(String dirUri, int keepLast, Configuration hadoop) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("checkpoint.keep_last must be at least 1, got " + keepLast + ".");
    }
    try {
      this.dir = new Path(dirUri);
      this.fs = dir.getFileSystem(hadoop);
      this.keepLast = keepLast;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the file system of checkpoint dir " + dirUri + ".", e);
    }
  }

  /** Fully qualified checkpoint directory, e.g. hdfs://nn:8020/jobs/demo/checkpoints. */
  public String location() {
    return fs.makeQualified(dir).toString();
  }

  /**
   * Writes one checkpoint atomically.
   *
   * @param adapterDir local folder holding adapter_config.json and adapter_model.safetensors
   * @return the step folder written
   */
  public String write(java.nio.file.Path adapterDir, AdamW.State optimizer, CheckpointState state) {
    String name = String.format("step-%06d", state.step());
    Path tmp = new Path(dir, ".tmp-" + name + "-" + UUID.randomUUID());
    Path target = new Path(dir, name);
    java.nio.file.Path local = null;
    try {
      local = Files.createTempDirectory("lorafleet-ckpt");
      StateFiles.writeOptimizer(local.resolve(OPTIMIZER), optimizer);
      StateFiles.writeState(local.resolve(STATE), state);
      fs.mkdirs(tmp);
      for (String f : List.of(PeftAdapterFolder.CONFIG, PeftAdapterFolder.WEIGHTS)) {
        fs.copyFromLocalFile(false, true, new Path(adapterDir.resolve(f).toUri()), new Path(tmp, f));
      }
      for (String f : List.of(OPTIMIZER, STATE)) {
        fs.copyFromLocalFile(false, true, new Path(local.resolve(f).toUri()), new Path(tmp, f));
      }
      byte[] manifest = Manifest.toJson(state.step(), state.runId(), Manifest.describe(fs, tmp, REQUIRED));
      try (OutputStream out = fs.create(new Path(tmp, Manifest.NAME), true)) {
        out.write(manifest);
      }
      Path old = null;
      if (fs.exists(target)) { // an older write of the same step: moved aside, never deleted before its successor is in place
        old = new Path(dir, ".old-" + name + "-" + UUID.randomUUID());
        rename(target, old);
      }
      rename(tmp, target);
      if (old != null) {
        fs.delete(old, true);
      }
      prune();
      return fs.makeQualified(target).toString();
    } catch (IOException e) {
      deleteQuietly(tmp); // a retry writes a fresh temporary; do not leave this one behind
      throw new UncheckedIOException("Could not write checkpoint " + name + " under " + location() + ".", e);
    } finally {
      LocalFiles.deleteQuietly(local);
    }
  }

  /** Step folders, newest first, valid or not. */
  public List<Path> stepFolders() {
    try {
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<Path> out = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.isDirectory() && STEP_DIR.matcher(st.getPath().getName()).matches()) {
          out.add(st.getPath());
        }
      }
      out.sort(Comparator.comparingLong(CheckpointStore::stepOf).reversed());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list checkpoint dir " + location() + ".", e);
    }
  }

  /**
   * The newest checkpoint whose manifest verifies. Each newer folder that fails is reported through
   * {@code skipped} with the reason, and never loaded.
   */
  public Optional<Checkpoint> latestValid(Consumer<String> skipped) {
    for (Path p : stepFolders()) {
      String problem = Manifest.verify(fs, p, REQUIRED);
      if (problem == null) {
        return Optional.of(load(p));
      }
      skipped.accept("Skipping checkpoint " + fs.makeQualified(p) + ": " + problem + ".");
    }
    return Optional.empty();
  }

  /** Loads and verifies one step folder (any FS URI); refuses one whose manifest does not verify. */
  public Checkpoint load(Path folder) {
    String problem = Manifest.verify(fs, folder, REQUIRED);
    if (problem != null) {
      throw new IllegalArgumentException("Checkpoint " + folder + " cannot be used: " + problem + ".");
    }
    java.nio.file.Path local = null;
    try {
      local = Files.createTempDirectory("lorafleet-ckpt");
      for (String f : REQUIRED) {
        fs.copyToLocalFile(false, new Path(folder, f), new Path(local.resolve(f).toUri()), true);
      }
      Map<String, FloatTensor> adapter = new java.util.LinkedHashMap<>();
      try (SafetensorsFile sf = SafetensorsFile.open(local.resolve(PeftAdapterFolder.WEIGHTS))) {
        for (String n : sf.names()) {
          adapter.put(n, sf.readFloat(n));
        }
      }
      return new Checkpoint(fs.makeQualified(folder).toString(), adapter, PeftAdapterFolder.readSettings(local),
          StateFiles.readOptimizer(local.resolve(OPTIMIZER)), StateFiles.readState(local.resolve(STATE)));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read checkpoint " + folder + ".", e);
    } finally {
      LocalFiles.deleteQuietly(local);
    }
  }

  /** Loads a checkpoint given by the user ({@code --resume PATH}), on this store's file system or another. */
  public static Checkpoint loadFrom(String uri, Configuration hadoop) {
    Path p = new Path(uri);
    return new CheckpointStore(p.getParent() == null ? uri : p.getParent().toString(), 1, hadoop).load(p);
  }

  /**
   * Creates the folder and writes and deletes a small file in it, so that a folder the job cannot
   * write is reported before training starts, not at the first checkpoint. Blocks on the file system.
   */
  public void probeWritable() {
    Path probe = new Path(dir, ".write-probe-" + java.util.UUID.randomUUID());
    try {
      fs.mkdirs(dir);
      try (var o = fs.create(probe, false)) {
        o.write(new byte[] {1});
      }
      fs.delete(probe, false);
    } catch (IOException e) {
      throw new IllegalStateException("The checkpoint dir " + location() + " cannot be written (checkpoint.dir): "
          + e.getMessage(), e);
    }
  }

  private void deleteQuietly(Path p) {
    try {
      fs.delete(p, true);
    } catch (IOException | RuntimeException ignored) {
      // best effort: recover() deletes it at the next start
    }
  }

  /**
   * Repairs what an interrupted write left (call before choosing a checkpoint): a complete temporary
   * (its manifest verifies) whose step folder is missing is promoted into place, a step folder moved
   * aside for a replacement is put back if its replacement never arrived, and everything else of
   * interrupted writes is deleted.
   *
   * @return one line per promoted or restored folder, and how many leftovers were deleted
   */
  public List<String> recover() {
    List<String> report = new ArrayList<>();
    try {
      if (!fs.exists(dir)) {
        return report;
      }
      int deleted = 0;
      for (String prefix : List.of(".tmp-", ".old-")) { // newer writes first: a complete .tmp wins over an .old
        for (FileStatus st : fs.listStatus(dir)) {
          String n = st.getPath().getName();
          Matcher m = LEFTOVER.matcher(n);
          if (!n.startsWith(prefix) || !m.matches()) {
            continue;
          }
          Path target = new Path(dir, m.group(1));
          if (!fs.exists(target) && Manifest.verify(fs, st.getPath(), REQUIRED) == null) {
            rename(st.getPath(), target);
            report.add((prefix.equals(".tmp-") ? "Promoted the complete checkpoint " : "Restored the checkpoint ")
                + target.getName() + " that an interrupted write left as " + n + ".");
          } else {
            fs.delete(st.getPath(), true);
            deleted++;
          }
        }
      }
      if (deleted > 0) {
        report.add("Removed " + deleted + " unfinished checkpoint write(s) under " + location() + ".");
      }
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot repair checkpoint dir " + location() + ".", e);
    }
  }

  /**
   * Moves every top-level step folder that is not part of the run continuing here (run {@code runId}
   * up to {@code upToStep}; -1 for a fresh start) into {@code superseded/<its run id>/}, so a later
   * pruning or {@code resume: auto} never touches or picks another run's checkpoint, nor a step of
   * this run's abandoned future. Nothing is deleted.
   *
   * @return how many folders were moved
   */
  public int setAside(String runId, long upToStep) {
    int moved = 0;
    try {
      for (Path p : stepFolders()) {
        String owner = runIdOf(p);
        if (owner.equals(runId) && stepOf(p) <= upToStep) {
          continue;
        }
        Path into = new Path(new Path(dir, SUPERSEDED), owner);
        fs.mkdirs(into);
        Path to = new Path(into, p.getName());
        if (fs.exists(to)) {
          to = new Path(into, p.getName() + "-" + UUID.randomUUID().toString().substring(0, 8));
        }
        rename(p, to);
        moved++;
      }
      return moved;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot set aside the checkpoints of another run under " + location() + ".", e);
    }
  }

  /** The run id in a step folder's state.json; {@value CheckpointState#LEGACY_RUN} if it has none or cannot be read. */
  private String runIdOf(Path folder) {
    try (InputStream in = fs.open(new Path(folder, STATE))) {
      return JSON.readTree(in).path("run_id")
          .asText(CheckpointState.LEGACY_RUN);
    } catch (IOException | RuntimeException e) {
      return CheckpointState.LEGACY_RUN; // an unreadable folder is set aside with the legacy ones
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " returned false");
    }
  }

  private void prune() throws IOException {
    List<Path> all = stepFolders();
    for (int i = keepLast; i < all.size(); i++) {
      fs.delete(all.get(i), true);
    }
  }

  static long stepOf(Path p) {
    Matcher m = STEP_DIR.matcher(p.getName());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }


}
