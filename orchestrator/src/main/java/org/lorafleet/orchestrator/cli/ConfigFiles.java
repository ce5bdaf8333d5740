package org.lorafleet.orchestrator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.lorafleet.orchestrator.config.ConfigLoader;

/** Reads config files from local paths or any Hadoop URI (hdfs://…), for {@link ConfigLoader}. */
final class ConfigFiles {

  private ConfigFiles() {}

  static String read(String location) {
    if (!location.contains("://") || location.startsWith("file:")) {
      return ConfigLoader.LOCAL_FILES.apply(location);
    }
    Path p = new Path(location);
    // FileSystem instances are cached and shared (Spark's, YARN's); close the stream only.
    try (InputStream in = p.getFileSystem(new Configuration()).open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read config " + location + ": " + e.getMessage(), e);
    }
  }
}
