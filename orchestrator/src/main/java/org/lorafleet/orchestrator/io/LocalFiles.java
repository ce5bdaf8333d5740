package org.lorafleet.orchestrator.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Local staging folders: files are staged here before they go to a Hadoop file system. */
public final class LocalFiles {

  private LocalFiles() {}

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a local temporary directory.", e);
    }
  }

  /** Deletes a flat folder and its files; null is ignored. Throws when something cannot be deleted. */
  public static void deleteFlat(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** {@link #deleteFlat} for staging folders whose leftovers are harmless (the real output is written). */
  public static void deleteQuietly(Path dir) {
    try {
      deleteFlat(dir);
    } catch (IOException e) {
      // A leftover temporary file is harmless.
    }
  }
}
