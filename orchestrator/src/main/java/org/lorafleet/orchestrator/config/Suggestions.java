package org.lorafleet.orchestrator.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" suggestions for misspelt keys and values. */
public final class Suggestions {

  private Suggestions() {}

  /**
   * The known word closest to {@code typed}: one that is equal ignoring case, underscores and hyphens
   * ({@code maxSteps} → {@code max_steps}); else the nearest within edit distance 2 ({@link #levenshtein}) (and less than
   * the typed length, so one-letter keys do not match everything); else one of which the typed word
   * is a prefix or which is a prefix of it. Ties go to the earlier word in {@code known}.
   */
  public static Optional<String> closest(String typed, Collection<String> known) {
    String t = normalize(typed);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      if (normalize(k).equals(t)) {
        return Optional.of(k);
      }
      int d = levenshtein(typed.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d <= 2 && d < typed.length() && d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    if (t.length() >= 2) {
      for (String k : known) {
        String n = normalize(k);
        if (n.startsWith(t) || t.startsWith(n)) {
          return Optional.of(k);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The message for an unknown key: {@code unknown key; did you mean 'alpha'?}, or when nothing is
   * close, {@code unknown key; expected one of r, alpha, ...}.
   */
  public static String unknownKey(String typed, Collection<String> known) {
    return closest(typed, known).map(k -> "unknown key; did you mean '" + k + "'?")
        .orElseGet(() -> known.isEmpty() ? "unknown key; this mapping takes no keys"
            : "unknown key; expected one of " + String.join(", ", known));
  }

  /**
   * Edit distance with unit costs for insertion, deletion, substitution and swapping two adjacent
   * letters (Levenshtein with transpositions, "optimal string alignment"), so {@code cdua} is 1 from
   * {@code cuda}.
   */
  public static int levenshtein(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }
}
