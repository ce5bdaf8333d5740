package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems with the file as a whole, locations in the parsed tree, and the pluggable reader. */
class FileErrorsTest {

  @TempDir
  Path dir;

  @Test
  void locationsOfKeysAndListItems() {
    LocatedYaml y = LocatedYaml.parse("name: x\nlora:\n  r: 8\n  target_modules:\n    - q_proj\n    - v_proj\n", "f.yaml");
    assertEquals(new LocatedYaml.Location("f.yaml", 3, 3), y.locate("lora.r"));
    assertEquals(6, y.locate("lora.target_modules[1]").line());
    assertEquals(2, y.locate("lora.alpha").line(), "a missing key points at its section");
    assertEquals(1, y.locate("model.path").line(), "a missing section points at line 1");
    assertEquals("8", y.scalarText("lora.r"));
  }

  @Test
  void yamlSyntaxErrorsGiveTheirLine() {
    ConfigException e = TestFiles.failure(dir, "name: x\nlora:\n  r: 8\n   alpha: [16\n");
    assertEquals(1, e.errors().size(), e.getMessage());
    ConfigError err = e.errors().get(0);
    assertEquals(dir.resolve("job.yaml").toString(), err.file());
    assertNull(err.key());
    assertTrue(err.line() >= 4, e.getMessage());
    assertTrue(err.message().startsWith("invalid YAML: "), err.message());
    assertTrue(err.toString().startsWith(err.file() + ":" + err.line() + ": invalid YAML: "), err.toString());
  }

  @Test
  void duplicateKeysAreRefused() {
    String yaml = BASE + "lora:\n  r: 8\n  r: 16  #<\n";
    TestFiles.assertSingleError(dir, yaml, "lora.r", "duplicate key; it is already defined on line 7");
  }

  @Test
  void theTopLevelMustBeAMapping() {
    ConfigException e = TestFiles.failure(dir, "- a\n- b\n");
    assertEquals(List.of(new ConfigError(dir.resolve("job.yaml").toString(), 1, null,
        "the top level must be a mapping of keys to values")), e.errors());
  }

  @Test
  void anEmptyFileListsTheRequiredKeys() {
    ConfigException e = TestFiles.failure(dir, "# nothing here\n");
    assertEquals(List.of("name", "model.path", "data.train"), e.errors().stream().map(ConfigError::key).toList());
    assertTrue(e.errors().stream().allMatch(x -> x.line() == 1 && x.message().equals("required key is missing")));
  }

  @Test
  void aMissingFileIsOneError() {
    String missing = dir.resolve("nope.yaml").toString();
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, List.of()));
    assertEquals(List.of(new ConfigError(missing, 0, null, "cannot read the file: no such file")), e.errors());
    assertEquals("The configuration has 1 error:\n" + missing + ": cannot read the file: no such file", e.getMessage());
  }

  @Test
  void fileUrisAreLocalButOtherSchemesNeedAReader() {
    Path p = TestFiles.write(dir, "job.yaml", BASE);
    assertEquals("t", ConfigLoader.load(p.toUri().toString(), List.of()).name());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load("hdfs:///jobs/job.yaml", List.of()));
    assertEquals("cannot read the file: only local files can be read here; hdfs:///jobs/job.yaml needs a reader "
        + "for its Hadoop file system", e.errors().get(0).message());
  }

  @Test
  void aPluggableReaderServesHadoopUris() {
    Map<String, String> fs = new HashMap<>();
    fs.put("hdfs:///jobs/job.yaml", BASE + "lora:\n  r: 0\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load("hdfs:///jobs/job.yaml", List.of(), fs::get));
    assertEquals(List.of(new ConfigError("hdfs:///jobs/job.yaml", 7, "lora.r", "must be > 0 (got 0)")), e.errors());
    fs.put("hdfs:///jobs/job.yaml", BASE);
    assertEquals("t", ConfigLoader.load("hdfs:///jobs/job.yaml", List.of("lora.r=4"), fs::get).name());
    ConfigException failing = assertThrows(ConfigException.class, () -> ConfigLoader.load("hdfs:///x.yaml", List.of(),
        loc -> {
          throw new IllegalStateException("connection refused");
        }));
    assertEquals("cannot read the file: IllegalStateException: connection refused", failing.errors().get(0).message());
  }

  @Test
  void sweepFilesAreRecognised() {
    String yaml = "base: configs/quickstart.yaml\nsweep:  #<\n  method: grid\n";
    TestFiles.assertSingleError(dir, yaml, "sweep", "this is a sweep file, not a job file; run it with 'lorafleet sweep'");
  }
}
