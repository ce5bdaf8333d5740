package org.lorafleet.trainer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.testsupport.ReferenceCases;
import org.lorafleet.trainer.testsupport.SharedModels;

/** BOS, EOS and the chat template as a model folder defines them. */
class SpecialTokensTest {

  /** stories260K's tokenizer adds <s> (post-processor and add_bos_token); EOS is </s>. */
  @Test
  void llamaStyleFolderPrependsBosAndStopsOnEos() {
    Path dir = SharedModels.model("stories260K");
    try (HfTokenizer tok = HfTokenizer.load(dir.resolve("tokenizer.json"))) {
      SpecialTokens s = SpecialTokens.read(dir, tok);
      assertEquals(1L, s.bos());
      assertEquals(2L, s.appendedEos());
      assertEquals(List.of(2L), s.stopIds());
      assertArrayEquals(tok.encodeWithSpecialTokens("Once upon a time"), s.withBos(tok.encode("Once upon a time")));
      assertNull(s.chatTemplate());
    }
  }

  /** tokenizer_config.json decides over the post-processor; EOS lists of both configs all stop. */
  @Test
  void tokenizerConfigAndEosListsAreHonoured(@TempDir Path tmp) throws IOException {
    Path src = SharedModels.model("stories260K");
    Files.copy(src.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
    Files.writeString(tmp.resolve("config.json"), "{\"eos_token_id\": [2, 0]}");
    Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\": [2, 1]}");
    Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"add_bos_token\": false, \"eos_token\": "
        + "{\"content\": \"<s>\"}, \"chat_template\": \"{{ bos_token }}x\"}");
    try (HfTokenizer tok = HfTokenizer.load(tmp.resolve("tokenizer.json"))) {
      SpecialTokens s = SpecialTokens.read(tmp, tok);
      assertNull(s.bos(), "add_bos_token: false wins over the post-processor");
      assertEquals(1L, s.appendedEos(), "the tokenizer's eos_token is what add_eos appends");
      assertEquals(List.of(2L, 0L, 1L), s.stopIds());
      assertEquals("{{ bos_token }}x", s.chatTemplate());
    }
  }

  /** The reference cases' byte-level tokenizers add nothing, so nothing is prepended. */
  @Test
  void byteLevelTokenizerWithoutTemplateAddsNoBos() {
    Path c = ReferenceCases.all().get(0);
    try (HfTokenizer tok = HfTokenizer.load(c.resolve("tokenizer.json"))) {
      SpecialTokens s = SpecialTokens.read(c, tok);
      assertNull(s.bos());
      assertTrue(s.stopIds().isEmpty() || s.appendedEos() != null);
    }
  }
}
