package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Software versions recorded in every checkpoint and run summary (filled in by the build). */
public final class Versions {

  private Versions() {}

  public static Map<String, String> all() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("/org/lorafleet/orchestrator/versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the bundled versions.properties.", e);
    }
    Map<String, String> out = new TreeMap<>();
    p.forEach((k, v) -> out.put(k.toString(), v.toString()));
    out.put("java", System.getProperty("java.version"));
    return out;
  }

  public static String lorafleet() {
    return all().getOrDefault("lorafleet", "dev");
  }
}
