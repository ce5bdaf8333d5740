package org.lorafleet.trainer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Token ids match the Rust tokenizers library exactly (golden.json tokenizer_probes). */
class HfTokenizerTest {

  @TempDir
  Path tmp;

  private static long[] ids(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).longValue();
    }
    return out;
  }

  @Test
  void everyProbeOfEveryCaseEncodesToTheReferenceIds() {
    for (Path caseDir : ReferenceCases.all()) {
      JsonNode probes = ReferenceCases.golden(caseDir).get("tokenizer_probes");
      assertTrue(probes != null && probes.size() > 0, caseDir + " has tokenizer probes");
      try (HfTokenizer tok = HfTokenizer.load(caseDir.resolve("tokenizer.json"))) {
        for (Iterator<Map.Entry<String, JsonNode>> it = probes.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> probe = it.next();
          long[] expected = ids(probe.getValue());
          long[] actual = tok.encode(probe.getKey());
          assertArrayEquals(expected, actual, caseDir.getFileName() + ": " + probe.getKey());
          for (long id : actual) {
            assertTrue(id >= 0 && id < tok.vocabSize(), "id " + id + " within vocabSize " + tok.vocabSize());
          }
          if (probe.getKey().chars().allMatch(c -> c < 128)) {
            assertEquals(probe.getKey(), tok.decode(actual), "decode round trip");
          }
        }
        int configVocab = ReferenceCases.golden(caseDir).path("config").path("vocab_size").asInt(-1);
        if (configVocab > 0) {
          assertTrue(tok.vocabSize() <= configVocab, "tokenizer fits the model's embedding table");
        }
      }
    }
  }

  @Test
  void longTextIsNeitherTruncatedNorPadded() {
    Path file = ReferenceCases.all().get(0).resolve("tokenizer.json");
    try (HfTokenizer tok = HfTokenizer.load(file)) {
      int unit = tok.encode(" hello").length;
      assertEquals(700 * unit, tok.encode(" hello".repeat(700)).length);
      assertEquals(0, tok.encode("").length);
    }
  }

  @Test
  void tokenizerConfigBesideTheFileIsIgnored() throws Exception {
    Path source = ReferenceCases.all().get(0).resolve("tokenizer.json");
    Path dir = Files.createDirectories(tmp.resolve("with-config"));
    Files.copy(source, dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"do_lower_case\": true, \"strip_accents\": true, \"model_max_length\": 4,"
            + " \"clean_up_tokenization_spaces\": true, \"add_prefix_space\": true}");
    try (HfTokenizer plain = HfTokenizer.load(source); HfTokenizer beside = HfTokenizer.load(dir.resolve("tokenizer.json"))) {
      String text = "Hello , World! Café déjà vu .";
      assertArrayEquals(plain.encode(text), beside.encode(text));
      assertEquals(text, beside.decode(beside.encode(text)));
    }
  }

  @Test
  void missingFileIsNamed() {
    Path missing = tmp.resolve("nope/tokenizer.json");
    TokenizerException e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
        e.getMessage());
  }

  @Test
  void malformedFileIsNamed() throws Exception {
    Path bad = Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"");
    TokenizerException e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }

  @Test
  void closedTokenizerRefusesWork() {
    HfTokenizer tok = HfTokenizer.load(ReferenceCases.all().get(0).resolve("tokenizer.json"));
    tok.close();
    tok.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tok.encode("x"));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void djlCacheDefaultsUnderTmpdir() {
    HfTokenizer.configureDjl();
    String cache = System.getenv("DJL_CACHE_DIR") != null ? System.getenv("DJL_CACHE_DIR")
        : System.getProperty("DJL_CACHE_DIR");
    assertTrue(cache != null && !cache.isEmpty(), "DJL_CACHE_DIR is set");
    if (System.getenv("DJL_CACHE_DIR") == null) {
      assertTrue(cache.endsWith(HfTokenizer.DEFAULT_DJL_CACHE), cache);
    }
  }
}
