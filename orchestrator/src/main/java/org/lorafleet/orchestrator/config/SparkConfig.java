package org.lorafleet.orchestrator.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Section {@code spark}.
 *
 * @param master the Spark master when the job is not launched by spark-submit (which then decides);
 *     default {@code local[*]}; null leaves it to Spark's own defaults
 * @param conf extra Spark properties ({@code spark.executor.memory: 4g}), applied when the session is
 *     created; values are strings (YAML numbers and booleans are kept as written); default empty
 */
public record SparkConfig(String master, Map<String, String> conf) {

  static final String SECTION = "spark";

  public SparkConfig {
    conf = conf == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(conf));
    Checks c = new Checks(SECTION);
    c.nullOrNotBlank("master", master);
    for (Map.Entry<String, String> e : conf.entrySet()) {
      c.check(!e.getKey().isBlank(), "conf", "has an empty property name");
      c.check(e.getValue() != null, "conf." + e.getKey(), "must have a value");
    }
    c.done();
  }

  static SparkConfig read(ConfigNode n) {
    String master = n.string("master", "local[*]");
    Map<String, String> conf = n.stringMap("conf");
    return n.attempt(() -> new SparkConfig(master, conf));
  }
}
