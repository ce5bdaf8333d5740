package org.lorafleet.orchestrator.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Training rows that share a word n-gram with a protected text (the eval rows and the benchmark
 * files of {@code data.quality.decontaminate}), as GPT-3's and Llama's decontamination did with
 * 13-grams (Brown et al. 2020, appendix C).
 *
 * <p>N-grams are taken over normalised words ({@link TextNormalizer#words}) and kept as 64-bit
 * hashes. The protected n-grams are gathered on the driver and broadcast: benchmark test sets and
 * eval sets are small (a million n-grams is 16 MB). A protected text with fewer than n words has
 * no n-gram and protects nothing.
 */
final class Decontamination implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int n;
  /** n-gram hash -> index of the first source (in {@link #sources}) that holds it. */
  private final Map<Long, Integer> protectedGrams;
  private final List<String> sources;

  private Decontamination(int n, Map<Long, Integer> protectedGrams, List<String> sources) {
    this.n = n;
    this.protectedGrams = protectedGrams;
    this.sources = sources;
  }

  /**
   * Gathers the n-grams of every source. Blocks (runs one Spark job per source).
   *
   * @param sources source name -> its texts, in report order
   */
  static Decontamination of(int n, Map<String, JavaRDD<String>> sources) {
    Map<Long, Integer> grams = new HashMap<>();
    List<String> names = new ArrayList<>(sources.keySet());
    for (int s = 0; s < names.size(); s++) {
      int source = s;
      List<Long> hashes = sources.get(names.get(s)).flatMap(t -> grams(t, n).iterator()).distinct().collect();
      for (Long h : hashes) {
        grams.putIfAbsent(h, source);
      }
    }
    return new Decontamination(n, grams, List.copyOf(names));
  }

  /** The number of distinct protected n-grams. */
  int size() {
    return protectedGrams.size();
  }

  /** The name of the first source that shares an n-gram with {@code text}, or null when it shares none. */
  String match(String text) {
    int best = Integer.MAX_VALUE;
    for (long h : grams(text, n)) {
      Integer s = protectedGrams.get(h);
      if (s != null && s < best) {
        best = s;
      }
    }
    return best == Integer.MAX_VALUE ? null : sources.get(best);
  }

  /** The hashes of the word n-grams of {@code text}. */
  static List<Long> grams(String text, int n) {
    List<String> words = TextNormalizer.words(text);
    List<Long> out = new ArrayList<>(Math.max(0, words.size() - n + 1));
    for (int from = 0; from + n <= words.size(); from++) {
      out.add(TextNormalizer.hash64(words, from, from + n));
    }
    return out;
  }

  /**
   * The texts of a benchmark file: for JSON lines and Parquet every string value of a row (nested
   * ones included) joined by spaces, for other files each non-blank line. Blocks only when Spark
   * lists the files.
   */
  static JavaRDD<String> textsOf(SparkSession spark, String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    JavaRDD<String> lines = lower.endsWith(".parquet") ? spark.read().parquet(path).toJSON().javaRDD()
        : spark.read().textFile(path).javaRDD();
    return lines.map(String::strip).filter(l -> !l.isEmpty()).map(Decontamination::textOfLine);
  }

  private static String textOfLine(String line) {
    if (!line.startsWith("{") && !line.startsWith("[")) {
      return line;
    }
    try {
      StringBuilder s = new StringBuilder();
      strings(JSON.readTree(line), s);
      return s.toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return line; // not JSON after all: its words still count
    }
  }

  private static void strings(JsonNode node, StringBuilder out) {
    if (node.isTextual()) {
      out.append(node.textValue()).append(' ');
    } else if (node.isContainerNode()) {
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        strings(it.next(), out);
      }
    }
  }

  /** For the report: rows removed per source, in source order, sources without a match included. */
  Map<String, Long> countsBySource(List<Tuple2<String, Long>> counts) {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    sources.forEach(s -> out.put(s, 0L));
    counts.forEach(t -> out.merge(t._1(), t._2(), Long::sum));
    return out;
  }
}
