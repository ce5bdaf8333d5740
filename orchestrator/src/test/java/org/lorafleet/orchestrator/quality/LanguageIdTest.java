package org.lorafleet.orchestrator.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Paragraphs of four languages detected; short, letterless or URL-only texts undetermined; shared detector. */
class LanguageIdTest {

  private static final Map<String, String> PARAGRAPHS = paragraphs();

  @Test
  void detectsTheLanguageOfParagraphs() {
    PARAGRAPHS.forEach((code, text) -> assertEquals(code, LanguageId.detect(text), () -> "Language of: " + text));
  }

  @Test
  void shortOrLetterlessTextsAreUndetermined() {
    assertEquals(LanguageId.UNDETERMINED, LanguageId.detect(""));
    assertEquals(LanguageId.UNDETERMINED, LanguageId.detect("Hello there!"));
    assertEquals(LanguageId.UNDETERMINED, LanguageId.detect("Guten Tag, wie geht's?"));
    assertEquals(LanguageId.UNDETERMINED, LanguageId.detect("12345 67890 12345 67890 !!! ??? 3.14159"));
  }

  @Test
  void urlsAndEmailAddressesDoNotCountAsText() {
    assertEquals(LanguageId.UNDETERMINED,
        LanguageId.detect("https://example.com/some/long/path/with/letters jane.doe@example.com"));
  }

  @Test
  void minimumProbabilityIsConfigurable() {
    String en = PARAGRAPHS.get("en");
    assertEquals("en", LanguageId.detect(en, 0.0));
    assertEquals("en", LanguageId.detect(en, 0.9));
    assertThrows(IllegalArgumentException.class, () -> LanguageId.detect(en, 1.5));
    assertThrows(IllegalArgumentException.class, () -> LanguageId.detect(en, Double.NaN));
    assertThrows(NullPointerException.class, () -> LanguageId.detect(null));
  }

  @Test
  void manyThreadsGetTheSameAnswers() throws Exception {
    List<String> texts = new ArrayList<>(PARAGRAPHS.values());
    List<String> codes = new ArrayList<>(PARAGRAPHS.keySet());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String text = texts.get(i % texts.size());
        answers.add(pool.submit(() -> LanguageId.detect(text)));
      }
      for (int i = 0; i < answers.size(); i++) {
        assertEquals(codes.get(i % codes.size()), answers.get(i).get(1, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<String, String> paragraphs() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("en", "The committee met on Tuesday to discuss the budget for next year. Most members agreed that the "
        + "library should stay open longer in the evenings, but nobody knew where the money would come from.");
    p.put("de", "Der Ausschuss traf sich am Dienstag, um den Haushalt für das nächste Jahr zu besprechen. Die "
        + "meisten Mitglieder waren sich einig, dass die Bibliothek abends länger geöffnet bleiben sollte, aber "
        + "niemand wusste, woher das Geld kommen würde.");
    p.put("fr", "Le comité s'est réuni mardi pour discuter du budget de l'année prochaine. La plupart des membres "
        + "étaient d'accord pour que la bibliothèque reste ouverte plus tard le soir, mais personne ne savait "
        + "d'où viendrait l'argent.");
    p.put("es", "El comité se reunió el martes para hablar del presupuesto del próximo año. La mayoría de los "
        + "miembros estuvo de acuerdo en que la biblioteca debería abrir hasta más tarde por las noches, pero "
        + "nadie sabía de dónde saldría el dinero.");
    return p;
  }
}
