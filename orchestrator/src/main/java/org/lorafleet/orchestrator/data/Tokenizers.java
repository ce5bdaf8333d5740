package org.lorafleet.orchestrator.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.lorafleet.orchestrator.model.LocalModelDir;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.tokenizer.SpecialTokens;

/** The model's tokenizer, loaded once per JVM (driver or executor) and shared, and its EOS id. */
final class Tokenizers {

  private static final Map<Path, HfTokenizer> CACHE = new ConcurrentHashMap<>();

  private Tokenizers() {
  }

  /** The tokenizer.json of the model at {@code modelLocation}, loaded on first use in this JVM. */
  static HfTokenizer forModel(String modelLocation) {
    Path file = LocalModelDir.of(modelLocation).resolve("tokenizer.json").toAbsolutePath().normalize();
    return CACHE.computeIfAbsent(file, HfTokenizer::load);
  }

  private static final Map<Path, SpecialTokens> SPECIAL = new ConcurrentHashMap<>();

  /** The model's special tokens and chat template (read beside its tokenizer.json), once per JVM. */
  static SpecialTokens special(String modelLocation) {
    Path dir = LocalModelDir.of(modelLocation).toAbsolutePath().normalize();
    return SPECIAL.computeIfAbsent(dir, d -> SpecialTokens.read(d, forModel(modelLocation)));
  }

  /**
   * {@code eos_token_id} of the model's config.json (the first one if it is a list), or null if
   * absent. Reads only config.json, through the Hadoop FS for remote models.
   */
  static Long eosId(Configuration conf, String modelLocation) {
    JsonNode config;
    try (InputStream in = open(conf, modelLocation)) {
      config = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read config.json of the model " + modelLocation + ": "
          + e.getMessage(), e);
    }
    JsonNode eos = config == null ? null : config.get("eos_token_id");
    if (eos != null && eos.isArray()) {
      eos = eos.isEmpty() ? null : eos.get(0);
    }
    if (eos == null || eos.isNull()) {
      return null;
    }
    if (!eos.canConvertToLong() || eos.asLong() < 0) {
      throw new IllegalArgumentException("eos_token_id in config.json of the model " + modelLocation
          + " must be a token id or a list of them, got " + eos + ".");
    }
    return eos.asLong();
  }

  private static InputStream open(Configuration conf, String location) throws IOException {
    if (!location.contains("://") || location.startsWith("file:")) {
      return Files.newInputStream(LocalModelDir.of(location).resolve("config.json"));
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location, "config.json");
    FileSystem fs = p.getFileSystem(conf);
    return fs.open(p);
  }
}
