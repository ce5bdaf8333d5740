package org.lorafleet.orchestrator.quality;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces personal data in a text by the {@link PiiKind#placeholder() placeholder} of its kind: e-mail addresses,
 * payment card numbers, IPv6 and IPv4 addresses and telephone numbers, found by regular expressions and then
 * checked in code (octet ranges, IPv6 group counts, the Luhn checksum, digit counts).
 *
 * <p>The passes run in the order EMAIL, CREDIT_CARD, IPV6, IPV4, PHONE, each on the output of the one before, so
 * the digits of an e-mail address or a card number are gone before the phone pass could take them, and the
 * dotted tail of {@code ::ffff:192.0.2.1} is gone before the IPv4 pass. No pattern matches a placeholder.
 *
 * <p>This is a best-effort filter for training data, not a guarantee. It errs towards leaving text alone where a
 * number is more often something else: it misses seven-digit local numbers without an area code ("555-1234"),
 * national formats other than the North American one unless written with a leading "+", card numbers whose first
 * digit is not 2 to 6 (the card networks; this spares 13-digit millisecond timestamps) and IPv6 addresses written
 * without any decimal digit ("dead::beef", to spare C++ names such as {@code abc::def}). It takes a four-part
 * version number ("1.2.3.4") for an IPv4 address, and a number written right after a telephone number with one
 * space between them as part of it.
 *
 * <p>Stateless and thread-safe: the patterns are compiled once per JVM, and nothing needs to be serialized to use
 * {@link #redact} in a Spark task.
 */
public final class PiiRedactor {

  private static final int KINDS = PiiKind.values().length;

  /**
   * A local part of letters, digits and {@code _ % + -} in dot-separated runs, "@", and dot-separated labels.
   * The labels are checked in {@link #emailLength}, which is simpler than a pattern that also backtracks well.
   * A match starts only where a local part can start; starting again after each inner dot would make a long
   * dotted run without "@" quadratic. After "..", which no address contains, a new local part may start.
   */
  private static final Pattern EMAIL = Pattern.compile(
      "(?<![A-Za-z0-9_%+-]|[A-Za-z0-9_%+-]\\.)[A-Za-z0-9_%+-]++(?:\\.[A-Za-z0-9_%+-]++)*+"
          + "@[A-Za-z0-9-]++(?:\\.[A-Za-z0-9-]++)++");

  /**
   * 13 to 19 digits run together, or groups of digits (the first of 4, the others of 3 to 6) that one and the same
   * separator, a space or a dash, joins. The first digit is a card network's (2 to 6). Neither a word character
   * nor a decimal point may touch the number.
   */
  private static final Pattern CARD = Pattern.compile(
      "(?<![\\w.+-])(?:[2-6]\\d{12,18}|[2-6]\\d{3}(?<sep>[ -])\\d{3,6}(?:\\k<sep>\\d{3,6}){1,4})(?!\\w|[.,-]\\d)");

  /**
   * A maximal run of hex digits and colons with at least two colons, optionally followed by a dotted decimal tail
   * (the embedded IPv4 form). It may start after a word and a colon ("addr:fe80::1") but not inside a name
   * ("std::x" starts at neither colon). Whether it is an address is for {@link #ipv6Length} to say.
   */
  private static final Pattern IPV6 = Pattern.compile(
      "(?:(?<![\\w.:])|(?<=[A-Za-z]:)(?=[0-9A-Fa-f]))(?=[0-9A-Fa-f]*+:[0-9A-Fa-f]*+:)"
          + "[0-9A-Fa-f:]++(?:\\.\\d{1,3}){0,3}+(?!\\w|\\.\\d)");

  /** Four dot-separated runs of 1 to 3 digits that are not part of a longer dotted run or of a word. */
  private static final Pattern IPV4 = Pattern.compile("(?<![\\w.])(?:\\d{1,3}\\.){3}\\d{1,3}(?!\\w|\\.\\d)");

  /**
   * Three forms: "+" and a country code followed by at least one group that a space, dot or dash introduces
   * (with an optional parenthesised area code after the country code, "+44 (0)20 ..."); "+" and 8 to 15 digits
   * run together (E.164); and the North American 3-3-4 form with an optional leading "1", either "(555) 123-4567"
   * or three groups joined by one and the same separator. The country code must be followed by a separator, so
   * "+2024-01-15" is no phone number.
   */
  private static final Pattern PHONE = Pattern.compile(
      "(?<![\\w+])\\+\\d{1,3}(?:[ .-]?\\(\\d{1,4}\\)[ .-]?\\d{1,10})?(?:[ .-]\\d{1,10}){1,6}(?!\\w)"
          + "|(?<![\\w+])\\+\\d{8,15}(?!\\w)"
          + "|(?<![\\w+.-])(?:1[ .-])?(?:\\(\\d{3}\\) ?\\d{3}[ .-]\\d{4}|\\d{3}(?<sep>[ .-])\\d{3}\\k<sep>\\d{4})"
          + "(?!\\w|[.-]\\d)");

  private PiiRedactor() {
  }

  /**
   * The text with every e-mail address, Luhn-valid card number, IPv6 and IPv4 address and telephone number
   * replaced by its placeholder, and how many of each were replaced.
   */
  public static Redacted redact(String text) {
    Objects.requireNonNull(text, "The text to redact must not be null.");
    int[] counts = new int[KINDS];
    boolean digits = hasDigit(text);
    String t = text;
    if (t.indexOf('@') >= 0) {
      t = replace(t, PiiKind.EMAIL, EMAIL, PiiRedactor::emailLength, counts);
    }
    if (digits) {
      t = replace(t, PiiKind.CREDIT_CARD, CARD, PiiRedactor::cardLength, counts);
    }
    if (digits && t.indexOf(':') >= 0) {
      t = replace(t, PiiKind.IPV6, IPV6, PiiRedactor::ipv6Length, counts);
    }
    if (digits && t.indexOf('.') >= 0) {
      t = replace(t, PiiKind.IPV4, IPV4, s -> isIpv4(s) ? s.length() : -1, counts);
    }
    if (digits) {
      t = replace(t, PiiKind.PHONE, PHONE, PiiRedactor::phoneLength, counts);
    }
    return new Redacted(t, counts);
  }

  /** Decides about one match of a candidate pattern. */
  @FunctionalInterface
  private interface Check {
    /** How many leading characters of the match {@code s} are to be replaced; 0 or less for none. */
    int length(String s);
  }

  /** One pass: replaces the accepted part of every match of {@code p} in {@code text} and counts it. */
  private static String replace(String text, PiiKind kind, Pattern p, Check check, int[] counts) {
    Matcher m = p.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    while (m.find()) {
      int n = check.length(m.group());
      if (n <= 0) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, m.start()).append(kind.placeholder());
      copied = m.start() + n;
      counts[kind.ordinal()]++;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** The whole match if its domain has valid labels and a top-level domain of two or more letters, else -1. */
  private static int emailLength(String s) {
    int at = s.indexOf('@');
    String domain = s.substring(at + 1);
    if (at > 64 || domain.length() > 253) {
      return -1;
    }
    String[] labels = domain.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return -1;
      }
    }
    String tld = labels[labels.length - 1];
    if (tld.length() < 2 || !tld.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return -1;
    }
    return s.length();
  }

  /** The whole match if it has 13 to 19 digits and passes the Luhn check, else -1. */
  private static int cardLength(String s) {
    int sum = 0;
    int n = 0;
    // From the right: every second digit is doubled, and a two-digit product counts as its digit sum.
    for (int i = s.length() - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (n % 2 == 1) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
      n++;
    }
    return n >= 13 && n <= 19 && sum % 10 == 0 ? s.length() : -1;
  }

  /**
   * The length of the address the match {@code s} is, or -1: at most one "::", groups of 1 to 4 hex digits,
   * exactly 8 groups without "::" and at most 7 with it, an embedded IPv4 tail counting as 2 groups, and at
   * least one decimal digit. One trailing colon (the match ran into punctuation, "fe80::1: down") is left out.
   */
  private static int ipv6Length(String s) {
    String a = s.endsWith(":") && !s.endsWith("::") ? s.substring(0, s.length() - 1) : s;
    if (!hasDigit(a)) {
      return -1;
    }
    String hex = a;
    int groups = 0;
    boolean tail = a.indexOf('.') >= 0;
    if (tail) {
      int colon = a.lastIndexOf(':');
      if (!isIpv4(a.substring(colon + 1))) {
        return -1;
      }
      groups = 2;
      hex = a.substring(0, colon + 1);
    }
    int gap = hex.indexOf("::");
    if (gap >= 0) {
      if (hex.indexOf("::", gap + 1) >= 0) {
        return -1;
      }
      String right = hex.substring(gap + 2);
      int l = countGroups(hex.substring(0, gap));
      int r = countGroups(tail && !right.isEmpty() ? right.substring(0, right.length() - 1) : right);
      groups = l < 0 || r < 0 ? -1 : groups + l + r;
      return groups >= 0 && groups <= 7 ? a.length() : -1;
    }
    int g = countGroups(tail ? hex.substring(0, hex.length() - 1) : hex);
    return g >= 0 && groups + g == 8 ? a.length() : -1;
  }

  /** The number of colon-separated groups of 1 to 4 hex digits in {@code s} (0 if empty), or -1 if malformed. */
  private static int countGroups(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    String[] parts = s.split(":", -1);
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 4) {
        return -1;
      }
      for (int i = 0; i < p.length(); i++) {
        if (Character.digit(p.charAt(i), 16) < 0) {
          return -1;
        }
      }
    }
    return parts.length;
  }

  /** Whether {@code s} is four dot-separated decimal octets of 1 to 3 digits, each at most 255. */
  private static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** The whole match if it holds 7 to 15 digits (the E.164 maximum), else -1. */
  private static int phoneLength(String s) {
    long n = s.chars().filter(c -> c >= '0' && c <= '9').count();
    return n >= 7 && n <= 15 ? s.length() : -1;
  }

  private static boolean hasDigit(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        return true;
      }
    }
    return false;
  }

  /**
   * A redacted text and how many matches of each kind were replaced.
   *
   * @param text the text with placeholders
   * @param counts the number of replacements, indexed by {@link PiiKind#ordinal()}; copied in and out
   */
  public record Redacted(String text, int[] counts) implements Serializable {

    /** Checks and copies the arguments. */
    public Redacted {
      Objects.requireNonNull(text, "The redacted text must not be null.");
      Objects.requireNonNull(counts, "The replacement counts must not be null.");
      if (counts.length != KINDS) {
        throw new IllegalArgumentException(
            "There must be one replacement count per PII kind (" + KINDS + "), not " + counts.length + ".");
      }
      counts = counts.clone();
      for (int c : counts) {
        if (c < 0) {
          throw new IllegalArgumentException("A replacement count must not be negative, but one is " + c + ".");
        }
      }
    }

    /** A copy of the counts, indexed by {@link PiiKind#ordinal()}. */
    @Override
    public int[] counts() {
      return counts.clone();
    }

    /** How many matches of kind {@code k} were replaced. */
    public int count(PiiKind k) {
      return counts[k.ordinal()];
    }

    /** Whether anything was replaced. */
    public boolean changed() {
      for (int c : counts) {
        if (c > 0) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Redacted r && text.equals(r.text) && Arrays.equals(counts, r.counts);
    }

    @Override
    public int hashCode() {
      return 31 * text.hashCode() + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "Redacted[text=" + text + ", counts=" + Arrays.toString(counts) + "]";
    }
  }
}
