package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes job files into a test's temporary folder and checks the errors loading them gives. */
final class TestFiles {

  /** The smallest valid job. Sections are added after it, or used on their own with {@link #NAME_ONLY}. */
  static final String BASE = """
      name: t
      model:
        path: m
      data:
        train: d.jsonl
      """;

  /** A file's first line for cases that write their own model and data sections. */
  static final String NAME_ONLY = "name: t\n";

  /** Marks the line an error is expected on. */
  static final String MARK = "#<";

  private TestFiles() {}

  static Path write(Path dir, String fileName, String text) {
    try {
      Path p = dir.resolve(fileName);
      Files.writeString(p, text);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JobConfig load(Path dir, String text, String... overrides) {
    return ConfigLoader.load(write(dir, "job.yaml", text).toString(), List.of(overrides));
  }

  static ConfigException failure(Path dir, String text, String... overrides) {
    Path p = write(dir, "job.yaml", text);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(p.toString(), List.of(overrides)),
        "expected the configuration to be rejected:\n" + text);
  }

  /** 1-based number of the line carrying {@link #MARK}. */
  static int markedLine(String text) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(MARK)) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("No line is marked with " + MARK + " in:\n" + text);
  }

  /**
   * Loads {@code text} and asserts it fails with exactly one error, on the marked line, about
   * {@code key}, with {@code message}, in the file written.
   */
  static ConfigError assertSingleError(Path dir, String text, String key, String message) {
    ConfigException e = failure(dir, text);
    assertEquals(1, e.errors().size(), () -> "expected one error, got:\n" + e.getMessage());
    ConfigError err = e.errors().get(0);
    String file = dir.resolve("job.yaml").toString();
    assertEquals(new ConfigError(file, markedLine(text), key, message), err, e.getMessage());
    assertEquals(file + ":" + markedLine(text) + ": " + key + ": " + message, err.toString());
    return err;
  }
}
