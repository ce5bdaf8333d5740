package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.io.HadoopDir;

/** metrics.jsonl of a resumed run keeps the history before the checkpoint, whatever the earlier run left. */
class JobOutputsTest {

  @TempDir
  Path tmp;

  @Test
  void aResumedRunKeepsEarlierLinesUpToItsCheckpointSkipsATornLineAndIsIdempotent() throws IOException {
    Path out = tmp.resolve("out");
    JobOutputs outputs = new JobOutputs(new HadoopDir(out.toString(), new Configuration()),
        JobFixtures.config("m", tmp.resolve("d.jsonl"), out.toString()));
    Files.writeString(out.resolve("metrics.jsonl"), String.join("\n",
        "{\"step\":1,\"loss\":5.0}", "{\"step\":2,\"loss\":4.0}", "{\"step\":2,\"eval_loss\":4.5}",
        "{\"step\":3,\"loss\":3.9}", "{\"step\":4,\"loss\":3.", ""));
    Path local = Files.writeString(tmp.resolve("local.jsonl"), "{\"step\":3,\"loss\":3.8}\n{\"step\":4,\"loss\":3.7}\n");
    outputs.resumedFrom(2);
    List<String> expected = List.of("{\"step\":1,\"loss\":5.0}", "{\"step\":2,\"loss\":4.0}",
        "{\"step\":2,\"eval_loss\":4.5}", "{\"step\":3,\"loss\":3.8}", "{\"step\":4,\"loss\":3.7}");
    outputs.copyMetrics(local);
    assertEquals(expected, Files.readAllLines(out.resolve("metrics.jsonl")));
    Files.writeString(local, "{\"step\":5,\"loss\":3.6}\n", java.nio.file.StandardOpenOption.APPEND);
    outputs.copyMetrics(local); // the next checkpoint of the same run
    assertEquals(List.of(expected.get(0), expected.get(1), expected.get(2), expected.get(3), expected.get(4),
        "{\"step\":5,\"loss\":3.6}"), Files.readAllLines(out.resolve("metrics.jsonl")));
  }
}
