package org.lorafleet.orchestrator.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The normal form behind exact dedup, shingles and decontamination, and its stable hash. */
class TextNormalizerTest {

  @Test
  void keyAppliesNfkc() {
    assertEquals("file", TextNormalizer.key("\uFB01le"), "the ligature ﬁ becomes f, i");
    assertEquals("hello", TextNormalizer.key("\uFF28\uFF45\uFF4C\uFF4C\uFF4F"), "full-width letters become ASCII");
    assertEquals("x2", TextNormalizer.key("x\u00B2"), "a superscript digit becomes the digit");
    assertEquals(TextNormalizer.key("cafe\u0301"), TextNormalizer.key("caf\u00E9"), "decomposed é equals composed");
  }

  @Test
  void keyFoldsCaseAndWhitespace() {
    assertEquals("hello world again", TextNormalizer.key("  Hello\t\tWORLD \n\u00A0again\u3000 "));
    assertEquals("a b", TextNormalizer.key("a\u2028\u2029\r\nb"), "line and paragraph separators are whitespace");
    assertEquals("", TextNormalizer.key(" \t\n "));
    assertEquals(TextNormalizer.key("The  Quick\nBrown"), TextNormalizer.key("the quick brown"));
  }

  @Test
  void wordsSplitOnEverythingButLettersAndDigits() {
    assertEquals(List.of("don", "t", "stop", "the", "e", "mail", "s", "3", "14"),
        TextNormalizer.words("Don't stop\u2014the e-mail's 3.14!"));
    assertEquals(List.of("caf\u00E9", "file"), TextNormalizer.words("Cafe\u0301, \uFB01le."));
    assertTrue(TextNormalizer.words("  ... -- !! ").isEmpty());
  }

  @Test
  void wordsKeepCombiningMarksInsideWords() {
    // Hindi "हिन्दी भाषा": the vowel signs and the virama are marks, not letters.
    String hindi = "\u0939\u093F\u0928\u094D\u0926\u0940";
    String bhasha = "\u092D\u093E\u0937\u093E";
    assertEquals(List.of(hindi, bhasha), TextNormalizer.words(hindi + " " + bhasha));
  }

  @Test
  void hashIsAFunctionOfTheStringOnly() {
    String a = "The quick brown fox";
    String b = new StringBuilder("The quick ").append("brown fox").toString();
    assertEquals(TextNormalizer.hash64(a), TextNormalizer.hash64(b));
    assertNotEquals(TextNormalizer.hash64("a"), TextNormalizer.hash64("b"));
    assertNotEquals(TextNormalizer.hash64("ab"), TextNormalizer.hash64("ba"));
    assertEquals(TextNormalizer.hash64("\uD83D\uDE00 ok"), TextNormalizer.hash64("\uD83D\uDE00" + " ok"));
  }

  @Test
  void hashOfWordRangeEqualsHashOfJoinedWords() {
    List<String> words = TextNormalizer.words("The quick brown fox jumps over the lazy d\u00F6g");
    int n = words.size();
    assertEquals(TextNormalizer.hash64(String.join(" ", words)), TextNormalizer.hash64(words, 0, n));
    assertEquals(TextNormalizer.hash64("brown fox jumps"), TextNormalizer.hash64(words, 2, 5));
    assertEquals(TextNormalizer.hash64("d\u00F6g"), TextNormalizer.hash64(words, n - 1, n), "non-ASCII as UTF-8");
    assertEquals(TextNormalizer.hash64(""), TextNormalizer.hash64(words, 3, 3));
    assertEquals(TextNormalizer.hash64(words, 1, 4), TextNormalizer.hash64(new LinkedList<>(words), 1, 4));
    assertNotEquals(TextNormalizer.hash64(List.of("ab", "c"), 0, 2), TextNormalizer.hash64(List.of("a", "bc"), 0, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> TextNormalizer.hash64(words, 2, n + 1));
    assertThrows(IndexOutOfBoundsException.class, () -> TextNormalizer.hash64(words, 3, 2));
  }
}
