package org.lorafleet.orchestrator.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Hub settings {@code huggingface_hub} reads from the environment, with its defaults:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the Hub's base URL, default {@code https://huggingface.co};</li>
 *   <li>{@code HF_TOKEN}: an access token, else the one {@code huggingface-cli login} saved in
 *       {@code $HF_HOME/token};</li>
 *   <li>{@code HF_HUB_OFFLINE}: 1/true/yes/on to use only the cache, never the network;</li>
 *   <li>{@code HF_HUB_CACHE}: the cache folder, else {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
 *       {@code $XDG_CACHE_HOME/huggingface}, i.e. {@code ~/.cache/huggingface}.</li>
 * </ul>
 *
 * @param endpoint the Hub's base URL without a trailing slash
 * @param token the bearer token, or null to send none
 * @param offline whether no HTTP request may be made
 * @param cacheDir the root of the shared cache ({@code models--org--name} folders)
 */
public record HubEnvironment(String endpoint, String token, boolean offline, Path cacheDir) {

  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

  public HubEnvironment {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException("The Hub endpoint is empty.");
    }
    if (cacheDir == null) {
      throw new IllegalArgumentException("The Hub cache folder is not set.");
    }
    endpoint = stripTrailingSlashes(endpoint.trim());
    token = token == null || token.isBlank() ? null : token.trim();
  }

  /** The variables read, which a JVM system property of the same name overrides (spark-submit --driver-java-options). */
  static final List<String> VARIABLES = List.of("HF_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE", "HF_HOME", "HF_HUB_CACHE",
      "XDG_CACHE_HOME");

  /** The settings of this process's environment, a system property such as {@code -DHF_HUB_OFFLINE=1} winning. */
  public static HubEnvironment fromSystem() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    for (String v : VARIABLES) {
      String p = System.getProperty(v);
      if (p != null) {
        env.put(v, p);
      }
    }
    return fromEnv(env);
  }

  /** The settings described by {@code env} (a map of environment variables; tests pass their own). */
  public static HubEnvironment fromEnv(Map<String, String> env) {
    String endpoint = nonBlank(env.get("HF_ENDPOINT"));
    Path home = hfHome(env);
    String token = nonBlank(env.get("HF_TOKEN"));
    if (token == null) {
      token = readToken(home.resolve("token"));
    }
    String offlineValue = nonBlank(env.get("HF_HUB_OFFLINE"));
    boolean offline = offlineValue != null && TRUE.contains(offlineValue.toLowerCase(Locale.ROOT));
    String cache = nonBlank(env.get("HF_HUB_CACHE"));
    Path cacheDir = cache != null ? Path.of(expandHome(cache)) : home.resolve("hub");
    return new HubEnvironment(endpoint == null ? DEFAULT_ENDPOINT : endpoint, token, offline, cacheDir);
  }

  /** The same settings with {@code offline} as given. */
  public HubEnvironment withOffline(boolean value) {
    return new HubEnvironment(endpoint, token, value, cacheDir);
  }

  /** Never prints the token itself. */
  @Override
  public String toString() {
    return "HubEnvironment[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", offline="
        + offline + ", cacheDir=" + cacheDir + "]";
  }

  private static Path hfHome(Map<String, String> env) {
    String home = nonBlank(env.get("HF_HOME"));
    if (home != null) {
      return Path.of(expandHome(home));
    }
    String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
    Path base = xdg != null ? Path.of(expandHome(xdg)) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("huggingface");
  }

  private static String readToken(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return nonBlank(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the Hugging Face token file " + file + ".", e);
    }
  }

  private static String expandHome(String path) {
    return path.equals("~") || path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
  }

  private static String stripTrailingSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
