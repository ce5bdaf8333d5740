package org.lorafleet.orchestrator.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lorafleet.orchestrator.io.LocalFiles;

/**
 * A model (or adapter) folder as a local directory. Local paths and file:// URIs are used in place;
 * other Hadoop URIs (hdfs://, s3a://, …) are copied once per JVM into
 * {@code ${java.io.tmpdir}/lorafleet-models/<hash>/}. Blocks while copying.
 */
public final class LocalModelDir {

  private static final Map<String, java.nio.file.Path> CACHE = new ConcurrentHashMap<>();

  private LocalModelDir() {}

  /** The local directory holding the folder at {@code location}. */
  public static java.nio.file.Path of(String location) {
    if (isLocal(location)) {
      java.nio.file.Path p = location.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(location))
          : java.nio.file.Path.of(location);
      if (!Files.isDirectory(p)) {
        throw new IllegalArgumentException("Model folder " + location + " does not exist or is not a directory.");
      }
      return p.toAbsolutePath();
    }
    return CACHE.computeIfAbsent(location, LocalModelDir::fetch);
  }

  static boolean isLocal(String location) {
    return !location.contains("://") || location.startsWith("file:");
  }

  private static java.nio.file.Path fetch(String location) {
    try {
      Path src = new Path(location);
      FileSystem fs = src.getFileSystem(new Configuration());
      if (!fs.exists(src)) {
        throw new IllegalArgumentException("Model folder " + location + " does not exist.");
      }
      String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(location.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
      java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "lorafleet-models");
      java.nio.file.Path target = root.resolve(hash);
      java.nio.file.Path tmp = Files.createDirectories(root).resolve(hash + ".part-" + ProcessHandle.current().pid());
      Files.createDirectories(tmp);
      for (FileStatus st : fs.listStatus(src)) {
        if (st.isFile()) {
          fs.copyToLocalFile(false, st.getPath(), new Path(tmp.resolve(st.getPath().getName()).toUri()), true);
        }
      }
      if (Files.exists(target)) {
        LocalFiles.deleteFlat(target); // a stale copy from an earlier JVM
      }
      Files.move(tmp, target);
      return target;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256.", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not copy model folder " + location + " to local disk.", e);
    }
  }
}
