package org.lorafleet.orchestrator.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The thresholds of {@link HeuristicFilters}, section {@code data.quality} of a job file. The filters follow the
 * quality rules of Gopher (Rae et al. 2021, "Scaling Language Models: Methods, Analysis &amp; Insights from
 * Training Gopher", Appendix A) and C4 (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a
 * Unified Text-to-Text Transformer"), which were tuned for whole web pages; {@link #DEFAULTS} loosens them for
 * fine-tuning rows, which are often one short sentence or a list.
 *
 * @param minWords fewest whitespace-separated words, >= 0; default 3 (Gopher: 50)
 * @param maxWords most whitespace-separated words, >= minWords; default 100000 (as Gopher)
 * @param minMeanWordLength smallest mean word length in characters, >= 0; default 2.0 (Gopher: 3)
 * @param maxMeanWordLength largest mean word length in characters, >= minMeanWordLength; default 10.0 (as Gopher)
 * @param maxSymbolRatio most '#' characters plus ellipses ("..." or "…") per word, >= 0; default 0.1 (as
 *     Gopher, which counts the two symbols separately, each at 0.1)
 * @param maxEllipsisLines most of the non-blank lines that may end in an ellipsis, in [0, 1]; default 0.3
 *     (as Gopher)
 * @param maxDuplicateLines most of the non-blank lines that may repeat an earlier line, in [0, 1]; default
 *     0.3 (as Gopher)
 * @param maxDuplicateNgramChars most of the word characters that may lie in word 5-grams occurring more
 *     than once, in [0, 1]; default 0.6 (Gopher: 0.15 for web pages; an instruction row often repeats its
 *     title in its body, e.g. a package name and summary, 25–50% of its characters)
 * @param maxLinesWithoutPunctuation most of the non-blank lines that may end without terminal
 *     punctuation, in [0, 1]; default 1.0, which turns the check off: instruction data is full of list items and
 *     code. (C4 keeps only lines ending in terminal punctuation: it drops the lines, where this drops the row.)
 * @param placeholders text that rejects a row wherever it occurs as whole words, stored in the
 *     normal form of the quality package's TextNormalizer.key (so lower case); none may be blank; default ["lorem ipsum"] (as C4)
 */
public record FilterThresholds(
    int minWords,
    int maxWords,
    double minMeanWordLength,
    double maxMeanWordLength,
    double maxSymbolRatio,
    double maxEllipsisLines,
    double maxDuplicateLines,
    double maxDuplicateNgramChars,
    double maxLinesWithoutPunctuation,
    List<String> placeholders) implements Serializable {

  /** The thresholds for fine-tuning rows, which are often short; see the component descriptions. */
  public static final FilterThresholds DEFAULTS =
      new FilterThresholds(3, 100_000, 2.0, 10.0, 0.1, 0.3, 0.3, 0.6, 1.0, List.of("lorem ipsum"));

  private static final long serialVersionUID = 1L;
  private static final String PREFIX = "data.quality.";

  /**
   * Checks every threshold and normalises the placeholders.
   *
   * @throws IllegalArgumentException naming the first bad key, e.g. {@code data.quality.max_words}
   */
  public FilterThresholds {
    if (minWords < 0) {
      throw bad("min_words", "must be at least 0, got " + minWords + ".");
    }
    if (maxWords < minWords) {
      throw bad("max_words", "must be at least " + PREFIX + "min_words (" + minWords + "), got " + maxWords + ".");
    }
    atLeastZero("min_mean_word_length", minMeanWordLength);
    atLeastZero("max_mean_word_length", maxMeanWordLength);
    if (maxMeanWordLength < minMeanWordLength) {
      throw bad("max_mean_word_length", "must be at least " + PREFIX + "min_mean_word_length ("
          + minMeanWordLength + "), got " + maxMeanWordLength + ".");
    }
    atLeastZero("max_symbol_ratio", maxSymbolRatio);
    fraction("max_ellipsis_lines", maxEllipsisLines);
    fraction("max_duplicate_lines", maxDuplicateLines);
    fraction("max_duplicate_ngram_chars", maxDuplicateNgramChars);
    fraction("max_lines_without_punctuation", maxLinesWithoutPunctuation);
    if (placeholders == null) {
      throw bad("placeholders", "must be a list of strings, got null.");
    }
    List<String> keys = new ArrayList<>(placeholders.size());
    for (int i = 0; i < placeholders.size(); i++) {
      String p = placeholders.get(i);
      if (p == null) {
        throw bad("placeholders[" + i + "]", "must be a string, got null.");
      }
      String k = java.text.Normalizer.normalize(p, java.text.Normalizer.Form.NFKC).toLowerCase(java.util.Locale.ROOT)
          .strip().replaceAll("\\s+", " ");
      if (k.isEmpty()) {
        throw bad("placeholders[" + i + "]", "must not be blank, got '" + p + "'.");
      }
      keys.add(k);
    }
    placeholders = List.copyOf(keys);
  }

  private static void atLeastZero(String key, double v) {
    // Written so that NaN fails too.
    if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
      throw bad(key, "must be a finite number of at least 0, got " + v + ".");
    }
  }

  private static void fraction(String key, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw bad(key, "must be between 0 and 1, got " + v + ".");
    }
  }

  private static IllegalArgumentException bad(String key, String what) {
    return new IllegalArgumentException(PREFIX + key + " " + what);
  }
}
