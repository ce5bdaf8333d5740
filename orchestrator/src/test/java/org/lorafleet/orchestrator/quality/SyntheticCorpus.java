package org.lorafleet.orchestrator.quality;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * A corpus with known answers for the curation stages: unrelated rows of random words, exact
 * duplicates (changed in case and spacing only), near-duplicates with their exact shingle Jaccard,
 * training rows that leak a 13-word run of an eval row, and planted PII. Deterministic by seed.
 */
final class SyntheticCorpus {

  /** A planted near-duplicate pair: the row ids and their exact Jaccard over 5-word shingles. */
  record Pair(long original, long copy, double jaccard) {
  }

  final List<CurationRow> rows = new ArrayList<>();
  final List<Pair> nearPairs = new ArrayList<>();
  final Set<Long> exactCopies = new HashSet<>();
  final Set<Long> leaks = new HashSet<>();
  final int[] plantedPii = new int[PiiKind.values().length];
  private final SplittableRandom rnd;
  private long nextId = 1;

  /**
   * @param unrelated rows of plain random text
   * @param pairs     near-duplicate pairs, with 0..12 words replaced (Jaccard from ~1 down to ~0.2)
   */
  SyntheticCorpus(long seed, int unrelated, int pairs, int exact, int leaked, int pii) {
    rnd = new SplittableRandom(seed);
    List<String> eval = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String e = sentence(60);
      eval.add(e);
      add(e, true);
    }
    for (int i = 0; i < unrelated; i++) {
      add(sentence(80 + rnd.nextInt(40)), false);
    }
    for (int i = 0; i < pairs; i++) {
      List<String> words = words(100);
      long a = add(String.join(" ", words) + ".", false);
      List<String> copy = new ArrayList<>(words);
      int replaced = i % 13;
      for (int k = 0; k < replaced; k++) {
        copy.set(rnd.nextInt(copy.size()), word());
      }
      long b = add(String.join(" ", copy) + ".", false);
      nearPairs.add(new Pair(a, b, jaccard(words, copy, 5)));
    }
    for (int i = 0; i < exact; i++) {
      String s = sentence(70);
      add(s, false);
      exactCopies.add(add("  " + s.toUpperCase(java.util.Locale.ROOT).replace(" ", "   ") + " ", false));
    }
    for (int i = 0; i < leaked; i++) {
      List<String> e = List.of(eval.get(i % eval.size()).replace(".", "").split(" "));
      int from = rnd.nextInt(e.size() - 13);
      String leak = sentence(30).replace(".", "") + " " + String.join(" ", e.subList(from, from + 13)) + " "
          + sentence(30);
      leaks.add(add(leak, false));
    }
    for (int i = 0; i < pii; i++) {
      PiiKind kind = PiiKind.values()[i % PiiKind.values().length];
      plantedPii[kind.ordinal()]++;
      add(sentence(40).replace(".", "") + " contact " + piiOf(kind, i) + " today " + sentence(40), false);
    }
  }

  private long add(String text, boolean eval) {
    long id = nextId++;
    String payload = "{\"text\":\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    rows.add(new CurationRow(id, "corpus.jsonl:" + id, eval, text, payload, true));
    return id;
  }

  private String piiOf(PiiKind kind, int i) {
    return switch (kind) {
      case EMAIL -> "user" + i + "@example.org";
      case IPV4 -> "10." + (i % 250) + ".3." + (1 + i % 200);
      case IPV6 -> "2001:db8::" + Integer.toHexString(0x100 + i);
      case PHONE -> "+1 (555) 0" + (10 + i % 89) + "-" + (1000 + i);
      case CREDIT_CARD -> luhn("4111" + String.format("%011d", 1_000_000L + i));
    };
  }

  /** The digits with their Luhn check digit appended. */
  static String luhn(String digits) {
    int sum = 0;
    for (int i = digits.length() - 1, k = 0; i >= 0; i--, k++) {
      int d = digits.charAt(i) - '0';
      if (k % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return digits + (10 - sum % 10) % 10;
  }

  private String sentence(int n) {
    return String.join(" ", words(n)) + ".";
  }

  private List<String> words(int n) {
    List<String> w = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      w.add(word());
    }
    return w;
  }

  /** A random lower-case word of 3..8 letters: unrelated texts share almost no 5-gram. */
  private String word() {
    int len = 3 + rnd.nextInt(6);
    StringBuilder s = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      s.append((char) ('a' + rnd.nextInt(26)));
    }
    return s.toString();
  }

  /** The exact Jaccard similarity of the k-word shingle sets. */
  static double jaccard(List<String> a, List<String> b, int k) {
    Set<String> sa = shingles(a, k);
    Set<String> sb = shingles(b, k);
    Set<String> union = new HashSet<>(sa);
    union.addAll(sb);
    sa.retainAll(sb);
    return sa.size() / (double) union.size();
  }

  private static Set<String> shingles(List<String> w, int k) {
    Set<String> s = new HashSet<>();
    for (int i = 0; i + k <= w.size(); i++) {
      s.add(String.join(" ", w.subList(i, i + k)));
    }
    return s;
  }
}
