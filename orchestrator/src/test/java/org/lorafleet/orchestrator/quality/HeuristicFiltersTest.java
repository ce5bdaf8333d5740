package org.lorafleet.orchestrator.quality;

import org.lorafleet.orchestrator.config.FilterThresholds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each filter rejects a text built to fail it (and, with the defaults, none before it), a value exactly at a
 * threshold passes, and the thresholds are validated with the YAML key in the message.
 */
class HeuristicFiltersTest {

  private static final HeuristicFilters DEFAULTS = new HeuristicFilters(FilterThresholds.DEFAULTS);

  private static final String PARAGRAPH = "The committee met on Tuesday to review the budget for next year. After a "
      + "long discussion, the members agreed to fund the new library and to repair the old bridge near the school. "
      + "The vote was unanimous, and work will begin in the spring.";

  /** Thresholds that let everything through: each test tightens one. */
  private static FilterThresholds loose(int minWords, int maxWords, double minMean, double maxMean, double symbols,
      double ellipsis, double duplicateLines, double duplicateNgrams, double unpunctuated) {
    return new FilterThresholds(minWords, maxWords, minMean, maxMean, symbols, ellipsis, duplicateLines,
        duplicateNgrams, unpunctuated, List.of());
  }

  private static String reject(FilterThresholds t, String text) {
    return new HeuristicFilters(t).reject(text);
  }

  @Test
  void anOrdinaryParagraphPasses() {
    assertNull(DEFAULTS.reject(PARAGRAPH));
    assertNull(DEFAULTS.reject("Translate to French: good morning"), "short rows without a full stop pass");
  }

  @Test
  void wordCount() {
    assertEquals("2 words (min 3)", DEFAULTS.reject("Hello there"));
    assertEquals("1 word (min 3)", DEFAULTS.reject("  Hello\n"));
    assertEquals("0 words (min 3)", DEFAULTS.reject(""));
    assertNull(DEFAULTS.reject("Hello there, friend."), "exactly min_words passes");
    FilterThresholds t = loose(0, 5, 0, 1000, 1000, 1, 1, 1, 1);
    assertNull(reject(t, "one two three four five"), "exactly max_words passes");
    assertEquals("6 words (max 5)", reject(t, "one two three four five six"));
    assertNull(reject(t, " \n "), "with min_words 0 an empty text passes");
  }

  @Test
  void meanWordLength() {
    assertEquals("mean word length 1.1 is below 2.0", DEFAULTS.reject("a b c d e f g."));
    assertNull(DEFAULTS.reject("ab cd e."), "6 characters in 3 words: exactly 2.0 passes");
    assertEquals("mean word length 1.7 is below 2.0", DEFAULTS.reject("ab cd e"));
    assertEquals("mean word length 1.96 is below 2.00", DEFAULTS.reject("ab ".repeat(24) + "a"),
        "49 characters in 25 words: as many decimals as it takes to differ");
    assertNull(DEFAULTS.reject("abcdefghij klmnopqrst uvwxyzabcd"), "exactly 10.0 passes");
    assertEquals("mean word length 10.3 is above 10.0", DEFAULTS.reject("abcdefghij klmnopqrst uvwxyzabcde"));
  }

  @Test
  void symbolToWordRatio() {
    String reason = DEFAULTS.reject("## Notes\n# Item one\n# Item two");
    assertEquals("symbol-to-word ratio 0.5 is above 0.1 ('#' and ellipses per word)", reason);
    assertEquals("symbol-to-word ratio 1.0 is above 0.1 ('#' and ellipses per word)",
        DEFAULTS.reject("Wait... what\u2026 really...... yes."), "4 ellipses in 4 words: a run of six dots is two");
    assertNull(DEFAULTS.reject("# The quick brown fox jumps over the lazy dog."), "1 in 10 words: exactly 0.1 passes");
    assertEquals("symbol-to-word ratio 0.2 is above 0.1 ('#' and ellipses per word)",
        DEFAULTS.reject("## The quick brown fox jumps over the lazy dog."));
  }

  @Test
  void ellipsisLines() {
    String text = "The meeting started late because the projector would not work...\n"
        + "Everyone waited in the hall while the technician looked for cables\u2026\n"
        + "Finally the director decided to begin without any slides at all.";
    assertEquals("66.7% of lines end in an ellipsis (max 30.0%)", DEFAULTS.reject(text));
    FilterThresholds t = loose(0, 1000, 0, 1000, 1000, 0.3, 1, 1, 1);
    String three = "a...\nb...\nc...\nd\ne\nf\ng\nh\ni\nj";
    assertNull(reject(t, three), "3 of 10 lines: exactly 30% passes");
    assertEquals("40.0% of lines end in an ellipsis (max 30.0%)", reject(t, three.replace("d", "d...")));
    assertNull(reject(t, "a...\n\n  \nb\nc\nd"), "blank lines do not count");
  }

  @Test
  void duplicateLines() {
    String text = "Buy cheap watches now.\n  Buy cheap watches now.  \nCall us today.";
    assertEquals("33.3% of lines repeat an earlier line (max 30.0%)", DEFAULTS.reject(text), "lines are trimmed");
    FilterThresholds t = loose(0, 1000, 0, 1000, 1000, 1, 0.3, 1, 1);
    String ten = "one\ntwo\nthree\nfour\nfive\nsix\nseven\none\ntwo\nthree";
    assertNull(reject(t, ten), "3 repeats in 10 lines: exactly 30% passes");
    assertEquals("36.4% of lines repeat an earlier line (max 30.0%)", reject(t, ten + "\nfour"));
    assertNull(reject(loose(0, 1000, 0, 1000, 1000, 1, 0, 1, 1), "only one line"));
  }

  @Test
  void duplicateNgramCharacters() {
    // "the cat sat on the" and "cat sat on the mat" occur twice: 34 of the 46 word characters.
    String text = "The cat sat on the mat, and then THE CAT sat on the mat again!";
    assertEquals("73.9% of characters are in duplicated 5-grams (max 60.0%)", DEFAULTS.reject(text),
        "case and punctuation do not hide a repetition");
    String half = "a b c d e a b c d e f g h i j k l m n o";
    assertNull(reject(loose(0, 1000, 0, 1000, 1000, 1, 1, 0.5, 1), half), "10 of 20 characters: exactly 50% passes");
    assertEquals("50.0% of characters are in duplicated 5-grams (max 49.0%)",
        reject(loose(0, 1000, 0, 1000, 1000, 1, 1, 0.49, 1), half));
    assertNull(reject(loose(0, 1000, 0, 1000, 1000, 1, 1, 0, 1), "a a a a"), "fewer than 5 words: not measured");
    assertNull(reject(loose(0, 1000, 0, 1000, 1000, 1, 1, 0, 1), "a b c d e"), "one 5-gram cannot repeat");
  }

  @Test
  void linesWithoutTerminalPunctuation() {
    String text = "One line.\nTwo line\nThree line";
    assertNull(DEFAULTS.reject(text), "off with the defaults");
    FilterThresholds t = loose(0, 1000, 0, 1000, 1000, 1, 1, 1, 0.5);
    assertEquals("66.7% of lines do not end in terminal punctuation (max 50.0%)", reject(t, text));
    assertNull(reject(t, "One line.\nTwo line"), "1 of 2 lines: exactly 50% passes");
    assertNull(reject(loose(0, 1000, 0, 1000, 1000, 1, 1, 1, 0),
        "Really?\nYes!\nHe said \"fine.\"\nShe said \u201cgood\u201d\nIt\u2019s \u2018done\u2019\nOK."));
  }

  @Test
  void placeholderText() {
    assertEquals("contains placeholder text 'lorem ipsum'",
        DEFAULTS.reject("This page is Lorem \n  IPSUM filler text for now."));
    assertNull(DEFAULTS.reject("Neque porro quisquam est qui dolorem ipsum quia dolor sit amet."),
        "Cicero's \"dolorem ipsum\" is not the placeholder");
    FilterThresholds t = new FilterThresholds(0, 1000, 0, 1000, 1000, 1, 1, 1, 1, List.of("[Insert  Name]"));
    assertEquals(List.of("[insert name]"), t.placeholders(), "placeholders are stored normalised");
    assertEquals("contains placeholder text '[insert name]'", reject(t, "Dear [INSERT NAME], thank you."));
  }

  @Test
  void theFirstFailingFilterWins() {
    assertEquals("2 words (min 3)", DEFAULTS.reject("lorem ipsum"));
    assertEquals("mean word length 1.0 is below 2.0", DEFAULTS.reject("# # # #"));
  }

  @Test
  void survivesSerialization() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(DEFAULTS);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      HeuristicFilters copy = (HeuristicFilters) in.readObject();
      assertEquals("2 words (min 3)", copy.reject("Hello there"));
      assertNull(copy.reject(PARAGRAPH));
    }
  }

  @Test
  void thresholdsNameTheYamlKey() {
    assertEquals("data.quality.max_words must be at least data.quality.min_words (3), got 2.", message(
        () -> new FilterThresholds(3, 2, 2, 10, 0.1, 0.3, 0.3, 0.2, 1, List.of())));
    assertEquals("data.quality.min_words must be at least 0, got -1.", message(
        () -> new FilterThresholds(-1, 2, 2, 10, 0.1, 0.3, 0.3, 0.2, 1, List.of())));
    assertEquals("data.quality.max_mean_word_length must be at least data.quality.min_mean_word_length (2.0), "
        + "got 1.5.", message(() -> new FilterThresholds(3, 5, 2, 1.5, 0.1, 0.3, 0.3, 0.2, 1, List.of())));
    assertEquals("data.quality.max_symbol_ratio must be a finite number of at least 0, got -0.1.", message(
        () -> new FilterThresholds(3, 5, 2, 10, -0.1, 0.3, 0.3, 0.2, 1, List.of())));
    assertEquals("data.quality.max_duplicate_ngram_chars must be between 0 and 1, got 1.5.", message(
        () -> new FilterThresholds(3, 5, 2, 10, 0.1, 0.3, 0.3, 1.5, 1, List.of())));
    assertEquals("data.quality.max_ellipsis_lines must be between 0 and 1, got NaN.", message(
        () -> new FilterThresholds(3, 5, 2, 10, 0.1, Double.NaN, 0.3, 0.2, 1, List.of())));
    assertEquals("data.quality.placeholders[1] must not be blank, got ' '.", message(
        () -> new FilterThresholds(3, 5, 2, 10, 0.1, 0.3, 0.3, 0.2, 1, Arrays.asList("tbd", " "))));
    assertEquals("data.quality.placeholders must be a list of strings, got null.", message(
        () -> new FilterThresholds(3, 5, 2, 10, 0.1, 0.3, 0.3, 0.2, 1, null)));
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    FilterThresholds d = FilterThresholds.DEFAULTS;
    assertEquals(new FilterThresholds(3, 100_000, 2.0, 10.0, 0.1, 0.3, 0.3, 0.6, 1.0, List.of("lorem ipsum")), d);
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }
}
