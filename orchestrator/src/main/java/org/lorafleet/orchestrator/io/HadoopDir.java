package org.lorafleet.orchestrator.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/** A folder on any Hadoop file system (local, HDFS, …), e.g. a job's output dir. Every call blocks on I/O. */
public final class HadoopDir {

  private final FileSystem fs;
  private final FileContext fc;
  private final Path dir;

  /** Opens the folder, creating it if missing. */
  public HadoopDir(String dir, Configuration hadoop) {
    try {
      this.dir = new Path(dir);
      this.fs = this.dir.getFileSystem(hadoop);
      this.fc = FileContext.getFileContext(fs.getUri(), hadoop);
      fs.mkdirs(this.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create output dir " + dir + ".", e);
    }
  }

  /** Fully qualified location of {@code child} (or of the output dir when null). */
  public String location(String child) {
    return fs.makeQualified(child == null ? dir : new Path(dir, child)).toString();
  }

  /** Writes a small text file atomically: a temporary name, then renamed over the old file in one step. */
  public void writeText(String name, String text) {
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + ".tmp");
    try {
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      fc.rename(tmp, target, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target + ".", e);
    }
  }

  /** The text of file {@code name}, or null when there is none. */
  public String readText(String name) {
    Path p = new Path(dir, name);
    try {
      if (!fs.exists(p)) {
        return null;
      }
      try (var in = fs.open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + p + ".", e);
    }
  }

  /** Copies a local file into the output dir under {@code name}. */
  public void copyFile(java.nio.file.Path local, String name) {
    try {
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(dir, name));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + local + " to " + location(name) + ".", e);
    }
  }

  /** Replaces folder {@code name} with the files of a local folder (written beside it, then renamed). */
  public void copyFolder(java.nio.file.Path local, String name) {
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + ".tmp");
    try (var files = Files.list(local)) {
      fs.delete(tmp, true);
      fs.mkdirs(tmp);
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(tmp, f.getFileName().toString()));
      }
      fs.delete(target, true);
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + local + " to " + location(name) + ".", e);
    }
  }
}
