package org.lorafleet.orchestrator.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** Expands {@code data.train} / {@code data.eval} (file, directory or glob; any Hadoop FS) to files. */
final class InputFiles {

  private InputFiles() {
  }

  /**
   * The training files (sorted by URI), then the eval files (sorted), checked: every file has a
   * known extension, plain-text files only with format text, no file both train and eval.
   */
  static List<InputFile> resolve(Configuration conf, DataSpec spec) {
    List<InputFile> files = new ArrayList<>(expand(conf, spec.train(), "data.train", false));
    if (spec.eval() != null) {
      List<InputFile> eval = expand(conf, spec.eval(), "data.eval", true);
      for (InputFile e : eval) {
        for (InputFile t : files) {
          if (t.key().equals(e.key())) {
            throw new IllegalArgumentException("The file " + e.display()
                + " is matched by both data.train and data.eval; a file can only be one of them.");
          }
        }
      }
      files.addAll(eval);
    }
    for (InputFile f : files) {
      if (f.kind() == InputFile.Kind.TEXT && !"text".equals(spec.format())) {
        throw new IllegalArgumentException("The plain-text file " + f.display() + " can only be read with format text, "
            + "not " + spec.format() + "; use JSON lines or Parquet for structured rows.");
      }
    }
    return List.copyOf(files);
  }

  private static List<InputFile> expand(Configuration conf, String location, String key, boolean eval) {
    Map<String, InputFile> found = new TreeMap<>();
    try {
      Path pattern = new Path(location);
      FileSystem fs = pattern.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(pattern);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException(key + " '" + location + "' matches no file or directory.");
      }
      for (FileStatus m : matches) {
        if (m.isDirectory()) {
          RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
          while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (!hidden(m.getPath(), f.getPath())) {
              add(found, f.getPath(), key, location, eval);
            }
          }
        } else {
          String name = m.getPath().getName();
          if (name.startsWith("_") || name.startsWith(".")) {
            throw new IllegalArgumentException("The file " + InputFile.display(m.getPath().toUri()) + " (from " + key
                + ") is hidden: Hadoop and Spark skip names starting with '_' or '.'; rename it.");
          }
          add(found, m.getPath(), key, location, eval);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list " + key + " '" + location + "': " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException(key + " '" + location + "' holds no data file.");
    }
    return new ArrayList<>(found.values());
  }

  /** Names starting with "_" or "." below the listed directory (_SUCCESS, .crc files, …). */
  private static boolean hidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      String n = p.getName();
      if (n.startsWith("_") || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static void add(Map<String, InputFile> found, Path path, String key, String location, boolean eval) {
    java.net.URI uri = path.toUri();
    InputFile.Kind kind = InputFile.kindOf(path.getName());
    if (kind == null) {
      throw new IllegalArgumentException("The file " + InputFile.display(uri) + " (from " + key + " '" + location
          + "') has no known extension: use .jsonl or .json (JSON lines), .parquet or .txt.");
    }
    String k = InputFile.key(uri);
    found.put(k, new InputFile(k, InputFile.display(uri), kind, eval));
  }
}
