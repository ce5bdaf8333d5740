package org.lorafleet.orchestrator.quality;

import com.optimaize.langdetect.DetectedLanguage;
import com.optimaize.langdetect.LanguageDetector;
import com.optimaize.langdetect.LanguageDetectorBuilder;
import com.optimaize.langdetect.ngram.NgramExtractors;
import com.optimaize.langdetect.profiles.LanguageProfileReader;
import com.optimaize.langdetect.text.CommonTextObjectFactories;
import com.optimaize.langdetect.text.TextObjectFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Identifies the language of a text with the Optimaize language detector (character n-gram profiles of 70
 * languages, the built-in ones of the library) and answers with a language code, or {@link #UNDETERMINED} when the
 * text is too short or no language is probable enough.
 *
 * <p>The code is the language subtag of the profile: ISO 639-1 for every built-in profile but Asturian, which
 * has none and answers {@code "ast"}. Chinese answers {@code "zh"} for both the simplified and the traditional
 * profile.
 *
 * <p>The text goes through {@link CommonTextObjectFactories#forDetectingOnLargeText()}: it drops URLs and e-mail
 * addresses, drops characters of scripts that make up less than 30% of the text (a Latin product name in Russian
 * prose), and keeps only the first 10,000 characters, which bounds the cost of a long document. Training
 * documents are paragraphs to pages, often scraped, so that is the fitting factory; the short-text factory only
 * suits clean strings such as queries, and texts that short answer {@link #UNDETERMINED} here anyway.
 *
 * <p>Thread-safe: one detector serves every thread of the JVM, which is what Spark's task threads in one executor
 * need. Optimaize's {@code LanguageDetectorImpl} only reads its final fields after construction and draws its
 * random numbers from a {@code Random} made per call, with a fixed seed, so the answer for a text is also the same
 * on every run. The profiles take roughly 80 MB of heap and a few seconds to load, on first use.
 */
public final class LanguageId {

  /** The answer when the language cannot be told: the BCP 47 / ISO 639-2 code for "undetermined". */
  public static final String UNDETERMINED = "und";
  /** The probability the most probable language needs by default. */
  public static final double DEFAULT_MIN_PROBABILITY = 0.5;
  /** Texts with fewer letters than this, after URLs and e-mail addresses are dropped, are undetermined. */
  public static final int MIN_LETTERS = 20;

  private LanguageId() {
  }

  /** {@link #detect(String, double) detect(text, DEFAULT_MIN_PROBABILITY)}. */
  public static String detect(String text) {
    return detect(text, DEFAULT_MIN_PROBABILITY);
  }

  /**
   * The code of the most probable language of {@code text} if its probability is at least {@code minProbability},
   * else {@link #UNDETERMINED}; also {@link #UNDETERMINED} for texts with fewer than {@link #MIN_LETTERS} letters.
   *
   * @throws IllegalArgumentException if {@code minProbability} is not in [0, 1]
   * @throws UncheckedIOException if the built-in profiles cannot be read (on the first call only; later calls
   *     throw {@link NoClassDefFoundError})
   */
  public static String detect(String text, double minProbability) {
    Objects.requireNonNull(text, "The text whose language to detect must not be null.");
    if (!(minProbability >= 0 && minProbability <= 1)) {
      throw new IllegalArgumentException(
          "The minimum probability must be between 0 and 1, but it is " + minProbability + ".");
    }
    if (letters(text, MIN_LETTERS) < MIN_LETTERS) {
      return UNDETERMINED;
    }
    CharSequence cleaned = Holder.TEXT.forText(text);
    if (letters(cleaned, MIN_LETTERS) < MIN_LETTERS) {
      return UNDETERMINED;
    }
    List<DetectedLanguage> ranked = Holder.DETECTOR.getProbabilities(cleaned);
    if (ranked.isEmpty()) {
      return UNDETERMINED;
    }
    // Sorted most probable first; the library leaves out languages below its own threshold of 0.1.
    DetectedLanguage best = ranked.get(0);
    return best.getProbability() >= minProbability ? best.getLocale().getLanguage() : UNDETERMINED;
  }

  /** The number of letters in {@code s}, counting code points, but stopping at {@code enough}. */
  private static int letters(CharSequence s, int enough) {
    int n = 0;
    for (int i = 0; i < s.length() && n < enough; ) {
      int cp = Character.codePointAt(s, i);
      if (Character.isLetter(cp)) {
        n++;
      }
      i += Character.charCount(cp);
    }
    return n;
  }

  /** Loaded by the JVM on the first {@link #detect} that gets that far, once, with the class-loading lock. */
  private static final class Holder {

    static final TextObjectFactory TEXT = CommonTextObjectFactories.forDetectingOnLargeText();
    static final LanguageDetector DETECTOR = build();

    private static LanguageDetector build() {
      try {
        return LanguageDetectorBuilder.create(NgramExtractors.standard())
            .withProfiles(new LanguageProfileReader().readAllBuiltIn())
            .build();
      } catch (IOException e) {
        throw new UncheckedIOException("The built-in language profiles of the Optimaize detector cannot be read.", e);
      }
    }
  }
}
