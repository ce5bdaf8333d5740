package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The job's output directory on any Hadoop file system. Every call blocks on I/O. */
final class OutputFs {

  private final FileSystem fs;
  private final Path dir;

  OutputFs(String dir, Configuration hadoop) {
    try {
      this.dir = new Path(dir);
      this.fs = this.dir.getFileSystem(hadoop);
      fs.mkdirs(this.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create output dir " + dir + ".", e);
    }
  }

  /** Fully qualified location of {@code child} (or of the output dir when null). */
  String location(String child) {
    return fs.makeQualified(child == null ? dir : new Path(dir, child)).toString();
  }

  /** Writes a small text file atomically (temporary name, then rename). */
  void writeText(String name, String text) {
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + ".tmp");
    try {
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      fs.rename(tmp, target);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target + ".", e);
    }
  }

  /** Copies a local file into the output dir under {@code name}. */
  void copyFile(java.nio.file.Path local, String name) {
    try {
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(dir, name));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + local + " to " + location(name) + ".", e);
    }
  }

  /** Replaces folder {@code name} with the files of a local folder (written beside it, then renamed). */
  void copyFolder(java.nio.file.Path local, String name) {
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
