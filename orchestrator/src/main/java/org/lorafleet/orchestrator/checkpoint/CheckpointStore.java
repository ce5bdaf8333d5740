package org.lorafleet.orchestrator.checkpoint;

import java.io.IOException;
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
import org.lorafleet.orchestrator.io.LocalFiles;
import org.lorafleet.ps.optim.AdamW;
import org.lorafleet.ps.tensor.FloatTensor;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * Step folders under one checkpoint directory on any Hadoop file system:
 * <pre>
 * step-000400/ adapter_config.json  adapter_model.safetensors  optimizer.safetensors  state.json  MANIFEST.json
 * </pre>
 * A write goes to {@code .tmp-step-000400-<uuid>/}, the manifest (sizes + sha256) is written last,
 * then the folder is renamed into place and the oldest beyond {@code keepLast} are deleted. All
 * calls block on file-system I/O.
 */
public final class CheckpointStore {

  static final String STATE = "state.json";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final List<String> REQUIRED = List.of(PeftAdapterFolder.CONFIG, PeftAdapterFolder.WEIGHTS, OPTIMIZER, STATE);
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

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
      byte[] manifest = Manifest.toJson(state.step(), Manifest.describe(fs, tmp, REQUIRED));
      try (OutputStream out = fs.create(new Path(tmp, Manifest.NAME), true)) {
        out.write(manifest);
      }
      if (fs.exists(target)) {
        fs.delete(target, true); // an older write of the same step (e.g. before a resume)
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename of " + tmp + " to " + target + " returned false");
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
      // best effort: removeTemporaries() deletes it at the next start
    }
  }

  /** Deletes leftovers of interrupted writes; returns how many. */
  public int removeTemporaries() {
    try {
      if (!fs.exists(dir)) {
        return 0;
      }
      int n = 0;
      for (FileStatus st : fs.listStatus(dir)) {
        if (st.getPath().getName().startsWith(".tmp-step-")) {
          fs.delete(st.getPath(), true);
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clean checkpoint dir " + location() + ".", e);
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
