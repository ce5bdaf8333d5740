package org.lorafleet.orchestrator.quality;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The text normal form that deduplication and decontamination compare: Unicode NFKC, lower case, whitespace
 * collapsed. Also a 64-bit hash of that form which is the same on every JVM, machine and run, so hashes can be
 * written to disk and compared across jobs ({@link String#hashCode()} is stable too, but only 32 bits).
 */
public final class TextNormalizer {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private TextNormalizer() {
  }

  /**
   * The exact-dedup key of {@code text}: NFKC, {@link String#toLowerCase(Locale) lower-cased} in
   * {@link Locale#ROOT}, every run of whitespace (Java whitespace or Unicode category Z) replaced by one space,
   * no leading or trailing space.
   *
   * <p>Lower-casing is simple case mapping, not full Unicode case folding: "ß" and "ss" stay different keys.
   * Invisible format characters such as U+200B ZERO WIDTH SPACE are not whitespace (category Cf) and are kept.
   */
  public static String key(String text) {
    Objects.requireNonNull(text, "The text to normalise must not be null.");
    String n = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    if (!Normalizer.isNormalized(n, Normalizer.Form.NFKC)) {
      // Lower-casing can, rarely, leave a string that NFKC would change again.
      n = Normalizer.normalize(n, Normalizer.Form.NFKC);
    }
    StringBuilder b = new StringBuilder(n.length());
    boolean space = false;
    for (int i = 0; i < n.length(); ) {
      int cp = n.codePointAt(i);
      i += Character.charCount(cp);
      if (isWhitespace(cp)) {
        space = b.length() > 0;
      } else {
        if (space) {
          b.append(' ');
          space = false;
        }
        b.appendCodePoint(cp);
      }
    }
    return b.toString();
  }

  /**
   * The words of {@link #key(String) key(text)}: maximal runs of letters and digits; everything else, apostrophes
   * and hyphens included, separates words ("don't" is "don", "t"). A combining mark (Unicode category M) right
   * after a letter or digit stays in its word, so scripts written with vowel signs (Devanagari, Thai) are not cut
   * inside words; NFKC has already merged the marks of most Latin letters into the letters.
   *
   * <p>Scripts written without spaces (Chinese, Japanese) come out as one word per run of characters: this is no
   * word segmenter.
   *
   * @return a new, modifiable list
   */
  public static List<String> words(String text) {
    String k = key(text);
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < k.length(); ) {
      int cp = k.codePointAt(i);
      boolean inWord = Character.isLetterOrDigit(cp) || (start >= 0 && isMark(cp));
      if (inWord && start < 0) {
        start = i;
      } else if (!inWord && start >= 0) {
        words.add(k.substring(start, i));
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      words.add(k.substring(start));
    }
    return words;
  }

  /**
   * A 64-bit hash of the UTF-8 bytes of {@code s}: FNV-1a 64 followed by the MurmurHash3 {@code fmix64}
   * finalizer (which spreads FNV's weak low bits). It depends only on the string, never on the JVM, the machine,
   * the locale or the run, so it may be stored and compared later. An unpaired surrogate counts as the byte
   * {@code '?'}, as in {@link String#getBytes(java.nio.charset.Charset) getBytes(UTF_8)}.
   *
   * <p>Not a cryptographic hash: anyone can build colliding strings on purpose.
   */
  public static long hash64(String s) {
    Objects.requireNonNull(s, "The string to hash must not be null.");
    return fmix64(feed(FNV_OFFSET, s));
  }

  /**
   * The same value as {@code hash64(String.join(" ", words.subList(from, to)))}, computed without building the
   * joined string. An empty range hashes like the empty string.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= words.size()}
   */
  public static long hash64(List<String> words, int from, int to) {
    Objects.checkFromToIndex(from, to, words.size());
    long h = FNV_OFFSET;
    boolean first = true;
    // An iterator over the view, not get(i): get is linear on a LinkedList.
    for (String w : words.subList(from, to)) {
      if (!first) {
        h = step(h, ' ');
      }
      first = false;
      h = feed(h, Objects.requireNonNull(w, "The words to hash must not contain null."));
    }
    return fmix64(h);
  }

  /** Whether {@code cp} is whitespace for {@link #key}: Java whitespace or a Unicode space separator (Z). */
  static boolean isWhitespace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /** Whether {@code cp} is a combining mark (Unicode category M). */
  static boolean isMark(int cp) {
    int t = Character.getType(cp);
    return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
        || t == Character.ENCLOSING_MARK;
  }

  /** Feeds the UTF-8 encoding of {@code s} to FNV-1a, without allocating the byte array. */
  private static long feed(long h, String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        h = step(h, c);
      } else if (c < 0x800) {
        h = step(h, 0xC0 | (c >>> 6));
        h = step(h, 0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        h = step(h, 0xF0 | (cp >>> 18));
        h = step(h, 0x80 | ((cp >>> 12) & 0x3F));
        h = step(h, 0x80 | ((cp >>> 6) & 0x3F));
        h = step(h, 0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        h = step(h, '?');
      } else {
        h = step(h, 0xE0 | (c >>> 12));
        h = step(h, 0x80 | ((c >>> 6) & 0x3F));
        h = step(h, 0x80 | (c & 0x3F));
      }
    }
    return h;
  }

  private static long step(long h, int b) {
    return (h ^ (b & 0xFF)) * FNV_PRIME;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
