package org.lorafleet.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library through DJL, configured
 * to match {@code tokenizers.Tokenizer.encode(text, add_special_tokens=False)}: no special tokens,
 * no truncation (DJL otherwise truncates to 512 tokens), no padding, and none of the Java-side
 * rewrites DJL applies when it finds a tokenizer_config.json (lower-casing, accent stripping,
 * clean-up of decoded spaces). Safe for concurrent use.
 */
public final class HfTokenizer implements AutoCloseable {

  /** Where DJL extracts its native library unless DJL_CACHE_DIR is already set. */
  public static final String DEFAULT_DJL_CACHE = "lorafleet-djl";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path path;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private volatile boolean closed;

  private HfTokenizer(Path path, HuggingFaceTokenizer tokenizer, int vocabSize) {
    this.path = path;
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
  }

  /**
   * Loads a tokenizer.json file.
   *
   * @throws TokenizerException if the file is missing or is not a tokenizer the library accepts
   */
  public static HfTokenizer load(Path tokenizerJson) {
    Path file = tokenizerJson.toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new TokenizerException("Tokenizer file " + file + " does not exist.");
    }
    int vocab = vocabSize(file);
    configureDjl();
    // Loading from a stream (not a path) keeps DJL from reading a tokenizer_config.json beside the file.
    Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    try (InputStream in = Files.newInputStream(file)) {
      return new HfTokenizer(file, HuggingFaceTokenizer.newInstance(in, options), vocab);
    } catch (IOException e) {
      throw new TokenizerException("Could not read tokenizer file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new TokenizerException("The tokenizers library could not load " + file + ": " + e.getMessage()
          + " (its native library is extracted under DJL_CACHE_DIR, now "
          + System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR")) + ").", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Token ids of {@code text}, without special tokens, truncation or padding. */
  public long[] encode(String text) {
    Objects.requireNonNull(text, "The text to encode must not be null.");
    return live().encode(text, false, false).getIds();
  }

  /**
   * Token ids of {@code text} with the special tokens the tokenizer's post-processor adds (BOS for
   * Llama, Gemma; nothing for Qwen), as {@code tokenizer(text)} gives them in transformers.
   */
  public long[] encodeWithSpecialTokens(String text) {
    Objects.requireNonNull(text, "The text to encode must not be null.");
    return live().encode(text, true, false).getIds();
  }

  /** The id of a token given by its text (e.g. {@code "<|eot_id|>"}), or null when it is not one token. */
  public Long tokenId(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    long[] ids = encode(token);
    return ids.length == 1 ? ids[0] : null;
  }

  /** The text of {@code ids}, special tokens included (nothing is skipped or cleaned up). */
  public String decode(long[] ids) {
    Objects.requireNonNull(ids, "The ids to decode must not be null.");
    return live().decode(ids, false);
  }

  /**
   * One more than the largest token id of the model vocabulary and the added tokens: the smallest
   * embedding table that covers every id this tokenizer produces.
   */
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenizer.close();
    }
  }

  @Override
  public String toString() {
    return "HfTokenizer[" + path + "]";
  }

  private HuggingFaceTokenizer live() {
    if (closed) {
      throw new IllegalStateException("Tokenizer " + path + " is closed.");
    }
    return tokenizer;
  }

  /**
   * Points DJL at a writable cache under java.io.tmpdir for its native library (instead of
   * ~/.djl.ai, often unwritable on cluster nodes) and turns off its telemetry call, which otherwise
   * queries the EC2 metadata endpoint on first use; explicit settings of either are kept.
   */
  static synchronized void configureDjl() {
    if (isUnset("DJL_CACHE_DIR")) {
      System.setProperty("DJL_CACHE_DIR",
          Paths.get(System.getProperty("java.io.tmpdir"), DEFAULT_DJL_CACHE).toString());
    }
    if (isUnset("OPT_OUT_TRACKING")) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  private static boolean isUnset(String key) {
    String env = System.getenv(key);
    String prop = System.getProperty(key);
    return (env == null || env.isEmpty()) && (prop == null || prop.isEmpty());
  }

  private static int vocabSize(Path file) {
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new TokenizerException("Tokenizer file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    long max = -1;
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
        max = Math.max(max, it.next().asLong(-1));
      }
    } else if (vocab.isArray()) {
      max = vocab.size() - 1L; // Unigram: the id is the position in the list
    }
    for (JsonNode added : root.path("added_tokens")) {
      max = Math.max(max, added.path("id").asLong(-1));
    }
    if (max < 0 || max >= Integer.MAX_VALUE) {
      throw new TokenizerException("Tokenizer file " + file + " has no usable model vocabulary or added tokens.");
    }
    return (int) max + 1;
  }
}
