package org.lorafleet.orchestrator.config;

import java.io.Serializable;
import java.util.List;

/**
 * Section {@code data.quality}: the curation stages run on the training rows before tokenisation
 * (see {@code org.lorafleet.orchestrator.quality.Curation}). Off by default; {@code enabled: true}
 * turns on every stage, and each stage switch defaults to {@code enabled}, so one stage can be turned
 * on or off alone.
 *
 * @param enabled the default of every stage switch; default false
 * @param exactDedup drop rows whose normalised training text (NFKC, case and whitespace folded) was
 *     seen before; default {@code enabled}
 * @param nearDedup drop near-duplicates found by MinHash LSH; default {@code enabled}
 * @param nearDedupThreshold Jaccard similarity of word shingles above which two rows are near-duplicates,
 *     in (0, 1); default 0.8
 * @param numPerm MinHash permutations, in [16, 1024]; default 128
 * @param shingleWords words per shingle, >= 1; default 5
 * @param qualityFilters the heuristic filters with the thresholds in {@code filters}; default {@code enabled}
 * @param filters the thresholds of the heuristic filters (the keys {@code min_words} … {@code placeholders})
 * @param languages ISO 639-1 codes of the languages kept (e.g. {@code [en]}); empty (default) keeps every row
 * @param decontamination drop training rows sharing an n-gram with the eval rows or the files of
 *     {@code decontaminate}; default {@code enabled}
 * @param decontaminate extra files (benchmark test sets; JSON lines, Parquet or text) whose n-grams must
 *     not appear in training rows; default none
 * @param decontaminateNgram words per n-gram of decontamination, >= 3; default 13
 * @param pii replace e-mail addresses, IP addresses, phone and credit-card numbers by typed placeholders;
 *     default {@code enabled}
 * @param keepRemoved write the removed rows, with the stage and reason, beside the output; default false
 */
public record QualityConfig(boolean enabled, boolean exactDedup, boolean nearDedup, double nearDedupThreshold,
    int numPerm, int shingleWords, boolean qualityFilters, @Inline FilterThresholds filters, List<String> languages,
    boolean decontamination, List<String> decontaminate, int decontaminateNgram, boolean pii,
    boolean keepRemoved) implements Serializable {

  static final String SECTION = "data.quality";

  /** Every stage off. */
  public static final QualityConfig OFF = new QualityConfig(false, false, false, 0.8, 128, 5, false,
      FilterThresholds.DEFAULTS, List.of(), false, List.of(), 13, false, false);

  public QualityConfig {
    languages = List.copyOf(languages);
    decontaminate = List.copyOf(decontaminate);
    Checks c = new Checks(SECTION);
    c.check(nearDedupThreshold > 0 && nearDedupThreshold < 1, "near_dedup_threshold",
        "must be above 0 and below 1 (a Jaccard similarity), got " + Checks.num(nearDedupThreshold));
    c.check(numPerm >= 16 && numPerm <= 1024, "num_perm", "must be between 16 and 1024, got " + numPerm);
    c.atLeast("shingle_words", shingleWords, 1);
    c.atLeast("decontaminate_ngram", decontaminateNgram, 3);
    for (String l : languages) {
      c.check(l.matches("[a-z]{2}"), "languages", "takes ISO 639-1 codes such as en or de, got '" + l + "'");
    }
    for (String f : decontaminate) {
      c.check(!f.isBlank(), "decontaminate", "holds a blank file name");
    }
    c.check(filters != null, "filters", "is required");
    c.done();
  }

  /** True when at least one stage runs. */
  public boolean anyStage() {
    return exactDedup || nearDedup || qualityFilters || !languages.isEmpty() || decontamination || pii;
  }

  static QualityConfig read(ConfigNode n) {
    boolean enabled = n.bool("enabled", false);
    boolean exact = n.bool("exact_dedup", enabled);
    boolean near = n.bool("near_dedup", enabled);
    double threshold = n.number("near_dedup_threshold", 0.8);
    int numPerm = n.integer("num_perm", 128);
    int shingle = n.integer("shingle_words", 5);
    boolean filtersOn = n.bool("quality_filters", enabled);
    FilterThresholds d = FilterThresholds.DEFAULTS;
    int minWords = n.integer("min_words", d.minWords());
    int maxWords = n.integer("max_words", d.maxWords());
    double minMean = n.number("min_mean_word_length", d.minMeanWordLength());
    double maxMean = n.number("max_mean_word_length", d.maxMeanWordLength());
    double symbols = n.number("max_symbol_ratio", d.maxSymbolRatio());
    double ellipsis = n.number("max_ellipsis_lines", d.maxEllipsisLines());
    double dupLines = n.number("max_duplicate_lines", d.maxDuplicateLines());
    double dupNgrams = n.number("max_duplicate_ngram_chars", d.maxDuplicateNgramChars());
    double noPunct = n.number("max_lines_without_punctuation", d.maxLinesWithoutPunctuation());
    List<String> placeholders = n.stringList("placeholders", d.placeholders());
    FilterThresholds filters = null;
    try {
      filters = new FilterThresholds(minWords, maxWords, minMean, maxMean, symbols, ellipsis, dupLines, dupNgrams,
          noPunct, placeholders);
    } catch (IllegalArgumentException e) {
      filterError(n, e.getMessage());
    }
    List<String> languages = n.stringList("languages", List.of());
    boolean decon = n.bool("decontamination", enabled);
    List<String> files = n.stringList("decontaminate", List.of());
    int ngram = n.integer("decontaminate_ngram", 13);
    boolean pii = n.bool("pii", enabled);
    boolean keepRemoved = n.bool("keep_removed", false);
    if (filters == null) {
      return null;
    }
    FilterThresholds f = filters;
    return n.attempt(() -> new QualityConfig(enabled, exact, near, threshold, numPerm, shingle, filtersOn, f,
        languages, decon, files, ngram, pii, keepRemoved));
  }

  /** Reports a threshold error ("data.quality.key must ...") at its key, so it gets the key's file and line. */
  private static void filterError(ConfigNode n, String message) {
    String prefix = SECTION + ".";
    if (message.startsWith(prefix)) {
      String rest = message.substring(prefix.length());
      int space = rest.indexOf(' ');
      if (space > 0) {
        n.error(rest.substring(0, space), rest.substring(space + 1).replaceAll("\\.$", ""));
        return;
      }
    }
    n.error("filters", message);
  }
}
