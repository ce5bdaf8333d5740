package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.orchestrator.io.HadoopDir;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader;
import org.lorafleet.orchestrator.metrics.TensorBoardEventReader.Point;

/**
 * metrics.jsonl (and the TensorBoard events made from it) of a resumed run keep the history before the
 * checkpoint, whatever the earlier run left.
 */
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

    // tensorboard/ is rewritten from the merged history each time: one event file, no repeated steps
    try (var files = Files.list(out.resolve("tensorboard"))) {
      assertEquals(1, files.count());
    }
    Map<String, List<Point>> tb = TensorBoardEventReader.scalars(out.resolve("tensorboard"));
    assertEquals(List.of(new Point(1, 5f), new Point(2, 4f), new Point(3, 3.8f), new Point(4, 3.7f),
        new Point(5, 3.6f)), tb.get("train/loss"));
    assertEquals(List.of(new Point(2, 4.5f)), tb.get("eval/loss"));
  }
}
