package org.lorafleet.orchestrator.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;

/** Local (de)serialisation of optimizer.safetensors and state.json. */
final class StateFiles {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String M = "exp_avg/";
  private static final String V = "exp_avg_sq/";

  private StateFiles() {}

  /** Moments as flat float32 tensors named exp_avg/&lt;param&gt; and exp_avg_sq/&lt;param&gt;; step in metadata. */
  static void writeOptimizer(Path file, AdamW.State s) {
    Map<String, FloatTensor> t = new LinkedHashMap<>();
    s.firstMoment().forEach((k, a) -> t.put(M + k, new FloatTensor(new long[] {a.length}, a)));
    s.secondMoment().forEach((k, a) -> t.put(V + k, new FloatTensor(new long[] {a.length}, a)));
    SafetensorsWriter.write(file, t, Map.of("format", "lorafleet-adamw", "step", Long.toString(s.step())));
  }

  static AdamW.State readOptimizer(Path file) {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, float[]> m = new LinkedHashMap<>();
      Map<String, float[]> v = new LinkedHashMap<>();
      for (String n : f.names()) {
        if (n.startsWith(M)) {
          m.put(n.substring(M.length()), f.readFloat(n).data());
        } else if (n.startsWith(V)) {
          v.put(n.substring(V.length()), f.readFloat(n).data());
        }
      }
      String step = f.metadata().get("step");
      if (step == null) {
        throw new IllegalArgumentException(file + " has no optimizer step in its metadata.");
      }
      return new AdamW.State(Long.parseLong(step), m, v);
    }
  }

  static void writeState(Path file, CheckpointState s) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("step", s.step());
    o.put("seed", s.seed());
    o.put("last_loss", Double.isNaN(s.lastLoss()) ? null : s.lastLoss());
    ObjectNode fp = o.putObject("fingerprint");
    new java.util.TreeMap<>(s.fingerprint()).forEach(fp::put);
    ObjectNode ver = o.putObject("versions");
    new java.util.TreeMap<>(s.versions()).forEach(ver::put);
    o.put("config", s.config());
    o.put("run_id", s.runId());
    o.put("tokens", s.tokens());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), o);
  }

  static CheckpointState readState(Path file) throws IOException {
    JsonNode o = JSON.readTree(file.toFile());
    Map<String, String> fp = new LinkedHashMap<>();
    o.path("fingerprint").fields().forEachRemaining(e -> fp.put(e.getKey(), e.getValue().asText()));
    Map<String, String> ver = new LinkedHashMap<>();
    o.path("versions").fields().forEachRemaining(e -> ver.put(e.getKey(), e.getValue().asText()));
    JsonNode loss = o.get("last_loss");
    return new CheckpointState(o.path("step").asLong(), o.path("seed").asLong(), fp,
        loss == null || loss.isNull() ? Double.NaN : loss.asDouble(), ver, o.path("config").asText(""),
        o.path("run_id").asText(CheckpointState.LEGACY_RUN), o.path("tokens").asLong(0));
  }
}
