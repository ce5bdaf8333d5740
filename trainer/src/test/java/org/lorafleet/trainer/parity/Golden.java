package org.lorafleet.trainer.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;
import org.lorafleet.trainer.train.Batch;

/** One reference case's expectations: golden.json plus the tensors of golden.safetensors. */
final class Golden implements AutoCloseable {

  final Path dir;
  final JsonNode json;
  final SafetensorsFile tensors;

  Golden(Path dir) {
    this.dir = dir;
    this.json = ReferenceCases.golden(dir);
    this.tensors = SafetensorsFile.open(dir.resolve("golden.safetensors"));
  }

  Batch batch(String suffix) {
    long[] shape = tensors.shape("input_ids" + suffix);
    return new Batch(tensors.readLong("input_ids" + suffix), tensors.readLong("labels" + suffix), (int) shape[0],
        (int) shape[1]);
  }

  FloatTensor tensor(String name) {
    return tensors.readFloat(name);
  }

  /** Gradients recorded for some step: step index → (PEFT file key → tensor). */
  Map<Integer, Map<String, FloatTensor>> recordedGradients() {
    Map<Integer, Map<String, FloatTensor>> out = new TreeMap<>();
    for (String name : tensors.names()) {
      if (name.startsWith("grad_step")) {
        int slash = name.indexOf('/');
        int step = Integer.parseInt(name.substring("grad_step".length(), slash));
        String key = name.substring(slash + 1).replace(".default.weight", ".weight");
        out.computeIfAbsent(step, k -> new TreeMap<>()).put(key, tensors.readFloat(name));
      }
    }
    return out;
  }

  @Override
  public void close() {
    tensors.close();
  }
}
