package org.lorafleet.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The special tokens and chat template a model folder defines, read as transformers reads them:
 * BOS is prepended when {@code tokenizer_config.json} says {@code add_bos_token: true}, or, when it
 * does not say, when the tokenizer's post-processor adds one (Llama 2/3, Gemma; not Qwen). EOS for
 * stopping generation is every id of {@code eos_token_id} in config.json and generation_config.json
 * (Llama 3 lists three); the EOS appended to training rows is the tokenizer's own {@code eos_token}
 * (e.g. {@code <|eot_id|>} for instruct models), else the first of those ids. The chat template comes
 * from {@code chat_template.jinja} or {@code tokenizer_config.json}'s {@code chat_template}.
 *
 * @param bos the id prepended to every encoded text, or null
 * @param bosToken BOS as text, for chat templates ({@code bos_token}); may be null
 * @param eosToken EOS as text, for chat templates ({@code eos_token}); may be null
 * @param appendedEos the id {@code add_eos} appends, or null when the model defines none
 * @param stopIds ids that end generation (may be empty)
 * @param chatTemplate the Jinja chat template, or null
 */
public record SpecialTokens(Long bos, String bosToken, String eosToken, Long appendedEos, List<Long> stopIds,
    String chatTemplate) implements java.io.Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public SpecialTokens {
    stopIds = List.copyOf(stopIds);
  }

  /** Reads the model folder {@code dir} (config.json, generation_config.json, tokenizer files). */
  public static SpecialTokens read(Path dir, HfTokenizer tokenizer) {
    JsonNode tokCfg = json(dir.resolve("tokenizer_config.json"));
    JsonNode config = json(dir.resolve("config.json"));
    JsonNode generation = json(dir.resolve("generation_config.json"));
    String bosToken = tokenText(tokCfg.get("bos_token"));
    String eosToken = tokenText(tokCfg.get("eos_token"));

    Long bos = null;
    JsonNode addBos = tokCfg.get("add_bos_token");
    if (addBos != null && addBos.isBoolean()) {
      if (addBos.asBoolean()) {
        bos = bosToken != null ? tokenizer.tokenId(bosToken) : firstId(config.get("bos_token_id"));
        if (bos == null) {
          throw new IllegalArgumentException(dir.resolve("tokenizer_config.json") + " sets add_bos_token but its "
              + "bos_token " + bosToken + " is not a token of " + tokenizer.path() + ".");
        }
      }
    } else {
      bos = postProcessorPrefix(tokenizer);
    }
    if (bosToken == null && bos != null) {
      bosToken = tokenizer.decode(new long[] {bos});
    }

    Set<Long> stops = new LinkedHashSet<>();
    addIds(stops, config.get("eos_token_id"), dir.resolve("config.json"));
    addIds(stops, generation.get("eos_token_id"), dir.resolve("generation_config.json"));
    Long appended = eosToken != null ? tokenizer.tokenId(eosToken) : null;
    if (appended == null && !stops.isEmpty()) {
      appended = stops.iterator().next();
    }
    if (appended != null) {
      stops.add(appended);
    }
    if (eosToken == null && appended != null) {
      eosToken = tokenizer.decode(new long[] {appended});
    }
    return new SpecialTokens(bos, bosToken, eosToken, appended, new ArrayList<>(stops), chatTemplate(dir, tokCfg));
  }

  /** {@code ids} with BOS in front when the model prepends one. */
  public long[] withBos(long[] ids) {
    if (bos == null || (ids.length > 0 && ids[0] == bos)) {
      return ids;
    }
    long[] out = new long[ids.length + 1];
    out[0] = bos;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  /** The single special token the post-processor puts before a text, if any (its BOS). */
  private static Long postProcessorPrefix(HfTokenizer tokenizer) {
    String probe = "a";
    long[] plain = tokenizer.encode(probe);
    long[] special = tokenizer.encodeWithSpecialTokens(probe);
    if (special.length == plain.length + 1 || special.length == plain.length + 2) {
      boolean prefixed = true;
      for (int i = 0; i < plain.length; i++) {
        prefixed &= special[i + 1] == plain[i];
      }
      if (prefixed) {
        return special[0];
      }
    }
    return null;
  }

  private static String chatTemplate(Path dir, JsonNode tokCfg) {
    Path file = dir.resolve("chat_template.jinja");
    if (Files.isRegularFile(file)) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not read " + file + ".", e);
      }
    }
    JsonNode t = tokCfg.get("chat_template");
    if (t == null || t.isNull()) {
      return null;
    }
    if (t.isTextual()) {
      return t.asText();
    }
    if (t.isArray()) { // named templates: the "default" one
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          return named.path("template").asText(null);
        }
      }
    }
    return null;
  }

  private static String tokenText(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isObject() ? n.path("content").asText(null) : n.asText();
  }

  private static Long firstId(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    JsonNode first = n.isArray() ? (n.isEmpty() ? null : n.get(0)) : n;
    return first != null && first.canConvertToLong() ? first.asLong() : null;
  }

  private static void addIds(Set<Long> out, JsonNode n, Path file) {
    if (n == null || n.isNull()) {
      return;
    }
    for (JsonNode id : n.isArray() ? n : List.of(n)) {
      if (!id.canConvertToLong() || id.asLong() < 0) {
        throw new IllegalArgumentException(file + ": eos_token_id must be a token id or a list of them, got " + n
            + ".");
      }
      out.add(id.asLong());
    }
  }

  private static JsonNode json(Path file) {
    if (!Files.isRegularFile(file)) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
