package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.data.DataTestSupport.write;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, directories and globs expand to sorted data files; wrong inputs get clear messages. */
class InputFilesTest {

  @TempDir
  Path tmp;

  private List<InputFile> resolve(String train, String eval, String format) {
    DataSpec d = DataSpec.defaults(train, format, 16);
    return InputFiles.resolve(new Configuration(), new DataSpec(d.train(), eval, 0, format, 16, false, "skip",
        "text", "prompt", "completion", "messages", true, true));
  }

  private String error(String train, String eval, String format) {
    return assertThrows(IllegalArgumentException.class, () -> resolve(train, eval, format)).getMessage();
  }

  @Test
  void expandsDirectoriesAndGlobsSkippingHiddenFiles() {
    Path dir = tmp.resolve("d");
    write(dir.resolve("b.jsonl"), "{}");
    write(dir.resolve("a.json.gz"), "");
    write(dir.resolve("sub/c.parquet"), "");
    write(dir.resolve("_SUCCESS"), "");
    write(dir.resolve(".b.jsonl.crc"), "");
    write(dir.resolve("_tmp/x.jsonl"), "");
    write(tmp.resolve("e.txt"), "line");
    List<InputFile> files = resolve(dir.toString(), tmp.resolve("*.txt").toString(), "text");
    assertEquals(List.of(dir.resolve("a.json.gz").toString(), dir.resolve("b.jsonl").toString(),
        dir.resolve("sub/c.parquet").toString(), tmp.resolve("e.txt").toString()),
        files.stream().map(InputFile::display).toList());
    assertEquals(List.of(InputFile.Kind.JSON, InputFile.Kind.JSON, InputFile.Kind.PARQUET, InputFile.Kind.TEXT),
        files.stream().map(InputFile::kind).toList());
    assertEquals(List.of(false, false, false, true), files.stream().map(InputFile::eval).toList());
    assertEquals(2, resolve(dir.resolve("*.json*").toString(), null, "text").size());
  }

  @Test
  void refusesWhatItCannotRead() {
    write(tmp.resolve("notes.md"), "x");
    write(tmp.resolve("t.txt"), "x");
    write(tmp.resolve("_hidden.jsonl"), "x");
    assertTrue(error(tmp.resolve("nothing*").toString(), null, "text").contains("matches no file"));
    assertTrue(error(tmp.resolve("notes.md").toString(), null, "text").contains("has no known extension"));
    assertTrue(error(tmp.resolve("t.txt").toString(), null, "completion").contains("can only be read with format text"));
    assertTrue(error(tmp.resolve("t.txt").toString(), tmp.resolve("t.txt").toString(), "text")
        .contains("both data.train and data.eval"));
    assertTrue(error(tmp.resolve("_hidden.jsonl").toString(), null, "text").contains("is hidden"));
  }
}
