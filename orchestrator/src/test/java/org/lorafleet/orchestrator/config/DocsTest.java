package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents every key, and its table of defaults is the code's. */
class DocsTest {

  static String docs() throws IOException {
    Path fromModule = Path.of("..", "docs", "configuration.md");
    return Files.readString(Files.exists(fromModule) ? fromModule : Path.of("docs", "configuration.md"));
  }

  @Test
  void everyKeyHasARowInItsSectionTable() throws IOException {
    String md = docs();
    for (Schema.Field f : JobSchema.JOB.fields()) {
      if (f.type() != Schema.Type.SECTION) {
        assertTrue(md.contains("| `" + f.name() + "` |"), f.name());
        continue;
      }
      int start = md.indexOf("## `" + f.name() + "`");
      assertTrue(start >= 0, "a section on " + f.name());
      int end = md.indexOf("\n## ", start + 1);
      String section = md.substring(start, end < 0 ? md.length() : end);
      for (String k : f.section().names()) {
        assertTrue(section.contains("| `" + k + "` |"), f.name() + "." + k + " has a row");
      }
    }
  }

  @Test
  void everySweepFileKeyHasARowInDocsSweeps() throws IOException {
    Path fromModule = Path.of("..", "docs", "sweeps.md");
    String md = Files.readString(Files.exists(fromModule) ? fromModule : Path.of("docs", "sweeps.md"));
    for (Schema.Field f : SweepFile.FILE.fields()) {
      int start = md.indexOf("### `" + f.name() + "`");
      assertTrue(start >= 0, "a section on " + f.name());
      if (f.type() == Schema.Type.SECTION) {
        int end = md.indexOf("\n### ", start + 1);
        String section = md.substring(start, end < 0 ? md.length() : end);
        for (String k : f.section().names()) {
          assertTrue(section.contains("| `" + k + "` |"), f.name() + "." + k + " has a row");
        }
      }
    }
  }

  @Test
  void theReferenceBlockHoldsTheDefaults() throws IOException {
    String md = docs();
    int start = md.indexOf("```yaml", md.indexOf("## Reference"));
    String block = md.substring(start + "```yaml".length(), md.indexOf("```", start + 7));
    JobConfig documented = ConfigLoader.parse(block, "docs/configuration.md", List.of());
    JobConfig minimal = ConfigLoader.parse("name: demo\nmodel: {path: examples/models/tiny-llama}\n"
        + "data: {train: data/train.jsonl}\n", "minimal", List.of());
    assertEquals(minimal, documented);
  }
}
