package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Counts of one data preparation, over training and eval inputs together.
 *
 * @param rows            non-blank input rows read (bad ones included)
 * @param badRows         rows skipped as bad (malformed JSON, missing or empty field, …)
 * @param badRowExamples  up to 5 bad rows in file order, each {@code "file:line: reason"}
 *                        ({@code "file:row N: reason"} for Parquet)
 * @param droppedRows     rows empty after tokenizing or with no trainable token after truncation
 * @param truncatedRows   rows cut to {@code max_seq_len} (dropped ones included)
 * @param tokens          tokens of the kept examples (after truncation, EOS included, padding not)
 * @param trainableTokens of those, tokens the loss is computed on (label not -100, not the first
 *                        token of an example, which nothing predicts)
 * @param trainSequences  training sequences produced
 * @param evalSequences   eval sequences produced
 */
public record DataStats(long rows, long badRows, List<String> badRowExamples, long droppedRows,
    long truncatedRows, long tokens, long trainableTokens, long trainSequences, long evalSequences)
    implements Serializable {

  public DataStats {
    badRowExamples = List.copyOf(badRowExamples);
  }

  /** A readable multi-line summary, for the console and logs. */
  public String summary() {
    return summary(0);
  }

  /** Like {@link #summary()}, also showing the sequence length when it is positive. */
  public String summary(int seqLen) {
    StringBuilder s = new StringBuilder();
    s.append("rows ").append(count(rows)).append(" (bad ").append(count(badRows)).append(" skipped, dropped ")
        .append(count(droppedRows)).append(", truncated ").append(count(truncatedRows)).append(")\n");
    s.append("tokens ").append(compact(tokens)).append(" (trainable ").append(compact(trainableTokens)).append(")\n");
    s.append("train sequences ").append(count(trainSequences));
    if (seqLen > 0) {
      s.append(" × ").append(seqLen);
    }
    s.append(" · eval sequences ").append(count(evalSequences));
    if (!badRowExamples.isEmpty()) {
      s.append("\nbad rows (first ").append(badRowExamples.size()).append("):");
      for (String e : badRowExamples) {
        s.append("\n  ").append(e);
      }
    }
    return s.toString();
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 950, 12.3k, 800k, 1.2M, 3.4G. */
  static String compact(long n) {
    String[] units = {"", "k", "M", "G", "T"};
    double v = n;
    int u = 0;
    while (Math.abs(v) >= 999.95 && u < units.length - 1) {
      v /= 1000.0;
      u++;
    }
    if (u == 0) {
      return Long.toString(n);
    }
    String num = v >= 99.95 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    if (num.endsWith(".0")) {
      num = num.substring(0, num.length() - 2);
    }
    return num + units[u];
  }
}
