package org.lorafleet.orchestrator.quality;

import org.lorafleet.orchestrator.config.FilterThresholds;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Rule-based quality filters for one text, after Gopher (Rae et al. 2021, Appendix A: the quality and repetition
 * filters) and C4 (Raffel et al. 2020: terminal punctuation, "lorem ipsum"), with the thresholds of a
 * {@link FilterThresholds}. Only a subset of Gopher's rules is here: no stop-word, bullet-line or
 * alphabetic-word rules, and of the repetition rules only duplicate lines and duplicate 5-grams. The rules were
 * written for English web pages: on code, tables or scripts without spaces between words they misjudge, which is
 * why {@link FilterThresholds#DEFAULTS} is loose.
 *
 * <p>Immutable and thread-safe; serializable so that it can be shipped to Spark executors.
 */
public final class HeuristicFilters implements Serializable {

  private static final long serialVersionUID = 1L;
  /** The n of Gopher's duplicate n-gram character fraction measured here. */
  private static final int NGRAM = 5;
  private static final String TERMINAL_PUNCTUATION = ".!?\"'\u201d\u2019";

  private final FilterThresholds t;

  /** Filters with thresholds {@code t}. */
  public HeuristicFilters(FilterThresholds t) {
    this.t = Objects.requireNonNull(t, "The filter thresholds must not be null.");
  }

  /**
   * Runs the filters in order: word count, mean word length, symbol-to-word ratio, ellipsis lines, duplicate
   * lines, duplicate 5-gram characters, lines without terminal punctuation, placeholder text. A value exactly at
   * its threshold passes.
   *
   * <p>"Words" for the first three filters are the whitespace-separated tokens of the raw text, punctuation
   * included, as in Gopher; for the 5-gram filter they are {@link TextNormalizer#words}, so case and punctuation
   * do not hide a repetition. Lengths count code points. "Lines" are the non-blank lines, trimmed.
   *
   * @return null if {@code text} passes every filter, else why the first failing filter rejects it, with the
   *     measured value and the threshold, e.g. {@code "mean word length 1.4 is below 2.0"}
   */
  public String reject(String text) {
    Objects.requireNonNull(text, "The text to filter must not be null.");
    String r = rejectWords(text);
    if (r == null) {
      r = rejectLines(lines(text));
    }
    if (r == null) {
      r = rejectDuplicateNgrams(TextNormalizer.words(text));
    }
    if (r == null) {
      r = rejectPlaceholder(TextNormalizer.key(text));
    }
    return r;
  }

  private String rejectWords(String text) {
    int words = 0;
    long chars = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (TextNormalizer.isWhitespace(cp)) {
        inWord = false;
      } else {
        chars++;
        if (!inWord) {
          words++;
          inWord = true;
        }
      }
    }
    if (words < t.minWords()) {
      return words + (words == 1 ? " word" : " words") + " (min " + t.minWords() + ")";
    }
    if (words > t.maxWords()) {
      return words + " words (max " + t.maxWords() + ")";
    }
    if (words == 0) {
      return null; // min_words is 0 and there is nothing to measure
    }
    double mean = (double) chars / words;
    if (mean < t.minMeanWordLength()) {
      return "mean word length " + decimals(mean, t.minMeanWordLength());
    }
    if (mean > t.maxMeanWordLength()) {
      return "mean word length " + decimals(mean, t.maxMeanWordLength());
    }
    double ratio = (double) symbols(text) / words;
    if (ratio > t.maxSymbolRatio()) {
      return "symbol-to-word ratio " + decimals(ratio, t.maxSymbolRatio()) + " ('#' and ellipses per word)";
    }
    return null;
  }

  private String rejectLines(List<String> lines) {
    if (lines.isEmpty()) {
      return null;
    }
    int ellipsis = 0;
    int duplicate = 0;
    int unpunctuated = 0;
    Set<String> seen = new HashSet<>();
    for (String line : lines) {
      if (line.endsWith("...") || line.endsWith("\u2026")) {
        ellipsis++;
      }
      if (!seen.add(line)) {
        duplicate++;
      }
      if (TERMINAL_PUNCTUATION.indexOf(line.charAt(line.length() - 1)) < 0) {
        unpunctuated++;
      }
    }
    double n = lines.size();
    if (ellipsis / n > t.maxEllipsisLines()) {
      return percent(ellipsis / n, t.maxEllipsisLines(), "of lines end in an ellipsis");
    }
    if (lines.size() >= 2 && duplicate / n > t.maxDuplicateLines()) {
      return percent(duplicate / n, t.maxDuplicateLines(), "of lines repeat an earlier line");
    }
    // At 1.0 nothing can fail; the comparison below would say so too, the test only makes "off" explicit.
    if (t.maxLinesWithoutPunctuation() < 1.0 && unpunctuated / n > t.maxLinesWithoutPunctuation()) {
      return percent(unpunctuated / n, t.maxLinesWithoutPunctuation(),
          "of lines do not end in terminal punctuation");
    }
    return null;
  }

  /**
   * Gopher's duplicate n-gram character fraction for n = 5: the characters of every word covered by some 5-gram
   * that occurs at least twice, over the characters of all words. Overlapping repeats count each word once.
   */
  private String rejectDuplicateNgrams(List<String> words) {
    if (words.size() < NGRAM) {
      return null;
    }
    // Keyed by the n-gram itself (a list view), not by a hash, so collisions cannot mark words wrongly.
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + NGRAM <= words.size(); i++) {
      counts.merge(words.subList(i, i + NGRAM), 1, Integer::sum);
    }
    boolean[] marked = new boolean[words.size()];
    for (int i = 0; i + NGRAM <= words.size(); i++) {
      if (counts.get(words.subList(i, i + NGRAM)) > 1) {
        for (int j = i; j < i + NGRAM; j++) {
          marked[j] = true;
        }
      }
    }
    long total = 0;
    long dup = 0;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      int len = w.codePointCount(0, w.length());
      total += len;
      if (marked[i]) {
        dup += len;
      }
    }
    double f = (double) dup / total;
    if (f > t.maxDuplicateNgramChars()) {
      return percent(f, t.maxDuplicateNgramChars(), "of characters are in duplicated 5-grams");
    }
    return null;
  }

  /**
   * Whether the normalised text contains a placeholder. C4 drops a page containing "lorem ipsum" anywhere; here a
   * placeholder that starts (ends) with a letter or digit must also start (end) at a word boundary, so that
   * Cicero's "dolorem ipsum", the source of the filler text, is no match.
   */
  private String rejectPlaceholder(String key) {
    for (String placeholder : t.placeholders()) {
      String p = TextNormalizer.key(placeholder); // the same normal form as the text
      for (int at = key.indexOf(p); at >= 0; at = key.indexOf(p, at + 1)) {
        int end = at + p.length();
        boolean startOk = at == 0 || !isWordChar(p.codePointAt(0)) || !isWordChar(key.codePointBefore(at));
        boolean endOk = end == key.length() || !isWordChar(p.codePointBefore(p.length()))
            || !isWordChar(key.codePointAt(end));
        if (startOk && endOk) {
          return "contains placeholder text '" + p + "'";
        }
      }
    }
    return null;
  }

  /** The non-blank lines of {@code text}, trimmed; any Unicode line terminator ends a line. */
  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || isLineBreak(text.charAt(i))) {
        String line = trim(text, start, i);
        if (!line.isEmpty()) {
          lines.add(line);
        }
        start = i + 1;
      }
    }
    return lines;
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  private static String trim(String s, int from, int to) {
    while (from < to && TextNormalizer.isWhitespace(s.codePointAt(from))) {
      from += Character.charCount(s.codePointAt(from));
    }
    while (to > from && TextNormalizer.isWhitespace(s.codePointBefore(to))) {
      to -= Character.charCount(s.codePointBefore(to));
    }
    return s.substring(from, to);
  }

  /** The '#' characters plus the ellipses: "…", and each "..." of a run of dots ("......" is two). */
  private static int symbols(String text) {
    int n = 0;
    int dots = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.') {
        dots++;
        continue;
      }
      n += dots / 3;
      dots = 0;
      if (c == '#' || c == '\u2026') {
        n++;
      }
    }
    return n + dots / 3;
  }

  private static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp) || TextNormalizer.isMark(cp);
  }

  /** "12.0% {what} (max 20.0%)": value and threshold as percentages. */
  private static String percent(double value, double max, String what) {
    String[] s = format(exact(value).movePointRight(2), exact(max).movePointRight(2));
    return s[0] + "% " + what + " (max " + s[1] + "%)";
  }

  /** "1.4 is below 2.0" or "12.5 is above 10.0". */
  private static String decimals(double value, double limit) {
    String[] s = format(exact(value), exact(limit));
    return s[0] + (value < limit ? " is below " : " is above ") + s[1];
  }

  /** The shortest decimal that reads back as {@code v}: 0.3, not 0.299999999999999988897769753748... */
  private static BigDecimal exact(double v) {
    return new BigDecimal(Double.toString(v));
  }

  /**
   * Value and threshold with as many decimals (at least 1, at most 9) as it takes to show the threshold exactly
   * and to tell the two apart: never "2.0 is below 2.0".
   */
  private static String[] format(BigDecimal value, BigDecimal limit) {
    int d = Math.min(9, Math.max(1, limit.stripTrailingZeros().scale()));
    while (d < 9 && value.setScale(d, RoundingMode.HALF_UP).compareTo(limit.setScale(d, RoundingMode.HALF_UP)) == 0) {
      d++;
    }
    return new String[] {
      value.setScale(d, RoundingMode.HALF_UP).toPlainString(), limit.setScale(d, RoundingMode.HALF_UP).toPlainString()
    };
  }
}
