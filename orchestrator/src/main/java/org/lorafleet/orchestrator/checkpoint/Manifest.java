package org.lorafleet.orchestrator.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code MANIFEST.json}: size and sha256 of every file of a step folder; written last, checked first. */
final class Manifest {

  static final String NAME = "MANIFEST.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** File name → (size, sha256 hex). */
  record Entry(long size, String sha256) {}

  private Manifest() {}

  static Map<String, Entry> describe(FileSystem fs, Path folder, Iterable<String> files) throws IOException {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (String f : files) {
      Path p = new Path(folder, f);
      out.put(f, new Entry(fs.getFileStatus(p).getLen(), sha256(fs, p)));
    }
    return out;
  }

  static byte[] toJson(long step, String runId, Map<String, Entry> entries) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("step", step);
    root.put("run_id", runId);
    ObjectNode files = root.putObject("files");
    entries.forEach((name, e) -> files.putObject(name).put("size", e.size()).put("sha256", e.sha256()));
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  /**
   * Verifies a step folder against its manifest.
   *
   * @return null when valid, else a sentence saying what is wrong
   */
  static String verify(FileSystem fs, Path folder, Iterable<String> required) {
    try {
      Path mf = new Path(folder, NAME);
      if (!fs.exists(mf)) {
        return "it has no " + NAME + " (an interrupted write)";
      }
      JsonNode root;
      try (InputStream in = fs.open(mf)) {
        root = JSON.readTree(in);
      } catch (IOException e) {
        return NAME + " is not valid JSON (" + e.getMessage() + ")";
      }
      JsonNode files = root.path("files");
      for (String r : required) {
        if (!files.has(r)) {
          return NAME + " does not list " + r;
        }
      }
      var it = files.fields();
      while (it.hasNext()) {
        var e = it.next();
        Path p = new Path(folder, e.getKey());
        if (!fs.exists(p)) {
          return e.getKey() + " is missing";
        }
        FileStatus st = fs.getFileStatus(p);
        long size = e.getValue().path("size").asLong(-1);
        if (st.getLen() != size) {
          return e.getKey() + " has " + st.getLen() + " bytes but the manifest says " + size + " (truncated?)";
        }
        String want = e.getValue().path("sha256").asText();
        String got = sha256(fs, p);
        if (!got.equals(want)) {
          return e.getKey() + " fails its sha256 check (corrupt)";
        }
      }
      return null;
    } catch (IOException e) {
      return "it could not be read (" + e.getMessage() + ")";
    }
  }

  static String sha256(FileSystem fs, Path p) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256.", e);
    }
    try (InputStream in = new DigestInputStream(fs.open(p), md)) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // digesting
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
