package org.lorafleet.orchestrator.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each kind found, replaced and counted; look-alikes (times, dates, versions, bad checksums) left alone. */
class PiiRedactorTest {

  /** Card-number prefixes of several networks and lengths (13 to 19 digits with the check digit). */
  private static final List<String> CARD_PREFIXES = List.of(
      "422222222222", "37828224631000", "520082828282821", "601111111111111", "353011133330000",
      "62212600000000000", "675964982643845341");

  @Test
  void kindNamesAndPlaceholders() {
    assertEquals("credit_card", PiiKind.CREDIT_CARD.reportName());
    assertEquals("ipv6", PiiKind.IPV6.reportName());
    assertEquals("<CREDIT_CARD>", PiiKind.CREDIT_CARD.placeholder());
    assertEquals("<EMAIL>", PiiKind.EMAIL.placeholder());
  }

  @ParameterizedTest
  @ValueSource(strings = {"jane.doe@example.com", "jane.doe+news@mail.example.co.uk", "J_Smith%x-1@Example.ORG",
      "a@b.io"})
  void emailReplaced(String email) {
    assertOnly("Write to " + email + ", please.", "Write to <EMAIL>, please.", PiiKind.EMAIL, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"user@localhost", "user@example.c", "user@-example.com", "user@example.com1",
      "@example.com"})
  void notAnEmail(String text) {
    assertUnchanged(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.168.0.1", "10.0.0.255", "0.0.0.0", "255.255.255.255"})
  void ipv4Replaced(String ip) {
    assertOnly("Host " + ip + " is down.", "Host <IPV4> is down.", PiiKind.IPV4, 1);
  }

  @Test
  void ipv4WithPortKeepsThePort() {
    assertOnly("Connect to 192.168.0.1:8080.", "Connect to <IPV4>:8080.", PiiKind.IPV4, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5", "v1.2.3", "version 1.2.3", "256.1.1.1", "10.0.0.1234", "3.14159",
      "1.2.3.4a"})
  void notAnIpv4(String text) {
    assertUnchanged("Found " + text + " here.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::1", "fe80::1ff:fe23:4567:890a", "::1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
      "::ffff:192.168.0.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:7::", "2001:DB8:0:0:8:800:200C:417A"})
  void ipv6Replaced(String ip) {
    assertOnly("Host " + ip + " is down.", "Host <IPV6> is down.", PiiKind.IPV6, 1);
  }

  @Test
  void ipv6InBracketsOrAfterALabel() {
    assertOnly("http://[::1]:8080/ and addr:fe80::1", "http://[<IPV6>]:8080/ and addr:<IPV6>", PiiKind.IPV6, 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"12:30", "10:15:00", "10:15:00.250", "23:59:59:99", "std::vector", "abc::def",
      "1::2::3", "00:1A:2B:3C:4D:5E", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "12345::1"})
  void notAnIpv6(String text) {
    assertUnchanged("At " + text + " then.");
  }

  @Test
  void wellKnownTestCardsReplaced() {
    for (String card : List.of("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
        "5555 5555 5555 4444", "3782 822463 10005", "378282246310005")) {
      assertOnly("Card " + card + " expires.", "Card <CREDIT_CARD> expires.", PiiKind.CREDIT_CARD, 1);
    }
  }

  @Test
  void generatedLuhnValidCardsReplacedInEveryFormat() {
    for (String prefix : CARD_PREFIXES) {
      String card = prefix + luhnCheckDigit(prefix);
      for (String written : List.of(card, grouped(card, ' '), grouped(card, '-'))) {
        assertOnly("Pay with " + written + ".", "Pay with <CREDIT_CARD>.", PiiKind.CREDIT_CARD, 1);
      }
    }
  }

  @Test
  void luhnInvalidCardsKept() {
    assertUnchanged("Card 4111 1111 1111 1112 expires.");
    for (String prefix : CARD_PREFIXES) {
      int check = luhnCheckDigit(prefix);
      for (int wrong = 0; wrong < 10; wrong++) {
        if (wrong != check) {
          assertUnchanged("Pay with " + grouped(prefix + wrong, ' ') + ".");
          assertUnchanged("Pay with " + prefix + wrong + ".");
        }
      }
    }
  }

  @Test
  void cardLikeNumbersOfTheWrongLengthOrInsideWordsKept() {
    String twelve = "42222222222";
    String twenty = "4222222222222222222";
    assertUnchanged("Id " + twelve + luhnCheckDigit(twelve) + ".");
    assertUnchanged("Id " + twenty + luhnCheckDigit(twenty) + ".");
    assertUnchanged("Hash a4111111111111111b.");
    assertUnchanged("Amount 4111111111111111.50 due.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"(555) 123-4567", "(555)123-4567", "555-123-4567", "555.123.4567", "555 123 4567",
      "+1 555 123 4567", "+44 20 7946 0958", "+44 (0)20 7946 0958", "+1 (555) 123-4567", "+1-800-555-1234",
      "1-800-555-1234", "+33 1 23 45 67 89", "+14155552671", "+49 30 1234567"})
  void phoneReplaced(String phone) {
    assertOnly("Call " + phone + " today.", "Call <PHONE> today.", PiiKind.PHONE, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2024", "1999 and 2024", "2024-01-15", "15.01.2024", "3.14159", "12345.6789",
      "+2024-01-15", "+3.14", "10:00+05:30", "555-1234", "1998-2004", "12-34-5678", "5551234567890123456789"})
  void notAPhone(String text) {
    assertUnchanged("Note " + text + " here.");
  }

  @Test
  void cardDigitsAreNotAlsoTakenAsPhones() {
    PiiRedactor.Redacted r = PiiRedactor.redact("Card 4111-1111-1111-1111 or call 555-123-4567.");
    assertEquals("Card <CREDIT_CARD> or call <PHONE>.", r.text());
    assertEquals(1, r.count(PiiKind.CREDIT_CARD));
    assertEquals(1, r.count(PiiKind.PHONE));
  }

  @Test
  void mixedTextWithSeveralKinds() {
    String text = "Contact jane@example.com or john.smith@corp.example.org, phone +1 555 123 4567 or "
        + "(555) 987-6543. Server 10.0.0.7 and 2001:db8::42 logged card 4111 1111 1111 1111 at 12:30 on "
        + "2024-01-15 (build v1.2.3).";
    PiiRedactor.Redacted r = PiiRedactor.redact(text);
    assertEquals("Contact <EMAIL> or <EMAIL>, phone <PHONE> or <PHONE>. Server <IPV4> and <IPV6> logged card "
        + "<CREDIT_CARD> at 12:30 on 2024-01-15 (build v1.2.3).", r.text());
    assertEquals(2, r.count(PiiKind.EMAIL));
    assertEquals(2, r.count(PiiKind.PHONE));
    assertEquals(1, r.count(PiiKind.IPV4));
    assertEquals(1, r.count(PiiKind.IPV6));
    assertEquals(1, r.count(PiiKind.CREDIT_CARD));
    assertTrue(r.changed());
  }

  @Test
  void redactingTwiceChangesNothingMore() {
    String once = PiiRedactor.redact("a@b.com 192.168.0.1 ::1 4111111111111111 555-123-4567").text();
    assertEquals("<EMAIL> <IPV4> <IPV6> <CREDIT_CARD> <PHONE>", once);
    assertUnchanged(once);
  }

  @Test
  void digitsOfAnEmailAreNotAPhone() {
    assertOnly("Mail 5551234567@sms.example.com now.", "Mail <EMAIL> now.", PiiKind.EMAIL, 1);
  }

  @Test
  void emptyAndPlainTextUnchanged() {
    assertUnchanged("");
    assertUnchanged("Nothing personal in here, only 42 apples and 3.5 pears.");
  }

  @Test
  void redactedRecordCopiesAndChecksItsCounts() {
    int[] counts = new int[PiiKind.values().length];
    counts[PiiKind.PHONE.ordinal()] = 2;
    PiiRedactor.Redacted r = new PiiRedactor.Redacted("x", counts);
    counts[PiiKind.PHONE.ordinal()] = 5;
    assertEquals(2, r.count(PiiKind.PHONE));
    r.counts()[PiiKind.PHONE.ordinal()] = 7;
    assertEquals(2, r.count(PiiKind.PHONE));
    assertEquals(new PiiRedactor.Redacted("x", r.counts()), r);
    assertEquals(new PiiRedactor.Redacted("x", r.counts()).hashCode(), r.hashCode());
    assertNotEquals(new PiiRedactor.Redacted("y", r.counts()), r);
    assertThrows(IllegalArgumentException.class, () -> new PiiRedactor.Redacted("x", new int[1]));
    int[] negative = new int[PiiKind.values().length];
    negative[0] = -1;
    assertThrows(IllegalArgumentException.class, () -> new PiiRedactor.Redacted("x", negative));
    assertThrows(NullPointerException.class, () -> PiiRedactor.redact(null));
  }

  /** Asserts that {@code text} redacts to {@code expected} with {@code n} matches of {@code kind} and no other. */
  private static void assertOnly(String text, String expected, PiiKind kind, int n) {
    PiiRedactor.Redacted r = PiiRedactor.redact(text);
    assertEquals(expected, r.text(), () -> "Redacting \"" + text + "\"");
    int[] counts = new int[PiiKind.values().length];
    counts[kind.ordinal()] = n;
    assertArrayEquals(counts, r.counts(), () -> "Counts for \"" + text + "\"");
  }

  private static void assertUnchanged(String text) {
    PiiRedactor.Redacted r = PiiRedactor.redact(text);
    assertEquals(text, r.text());
    assertFalse(r.changed(), () -> "\"" + text + "\" should not change");
  }

  /** The digit that makes {@code prefix} followed by it pass the Luhn check. */
  private static int luhnCheckDigit(String prefix) {
    int sum = 0;
    // The check digit will be rightmost, so the prefix's last digit is the first one doubled.
    for (int i = prefix.length() - 1, k = 0; i >= 0; i--, k++) {
      int d = prefix.charAt(i) - '0';
      if (k % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return (10 - sum % 10) % 10;
  }

  /** {@code digits} in groups of four joined by {@code sep}; a last group of 1 or 2 digits joins the one before. */
  private static String grouped(String digits, char sep) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < digits.length()) {
      int end = digits.length() - (i + 4) < 3 ? digits.length() : i + 4;
      if (b.length() > 0) {
        b.append(sep);
      }
      b.append(digits, i, end);
      i = end;
    }
    return b.toString();
  }
}
