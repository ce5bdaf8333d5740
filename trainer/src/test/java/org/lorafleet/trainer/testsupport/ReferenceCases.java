package org.lorafleet.trainer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the reference fixture cases (folders holding a {@code golden.json}) produced by the peer
 * implementation. When the system property {@code lorafleet.reference.dir} (else the environment
 * variable {@code LORAFLEET_REFERENCE_DIR}) is set, that one root is read; otherwise the default
 * roots: {@code reference} and {@code reference-families} of the shared folder ({@link #sharedDirs()})
 * and the repository's {@code tools/reference/cases} (made by {@code tools/reference/make_cases.py}). Tests
 * must not hard-code case names: iterate {@link #all()}.
 */
public final class ReferenceCases {

  public static final String PROPERTY = "lorafleet.reference.dir";
  public static final String ENV = "LORAFLEET_REFERENCE_DIR";
  public static final String SHARED_PROPERTY = "lorafleet.shared.dir";
  private static final List<String> DEFAULT_ROOTS = List.of("reference", "reference-families");
  /** More cases made by tools/reference/make_cases.py (same format), from the repository root or a module. */
  private static final List<String> GENERATED = List.of("tools/reference/cases", "../tools/reference/cases");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReferenceCases() {
  }

  /** The reference roots; fails if an explicitly configured root does not exist or a default one is missing. */
  public static List<Path> roots() {
    String explicit = System.getProperty(PROPERTY);
    String source = "system property " + PROPERTY;
    if (explicit == null || explicit.isBlank()) {
      explicit = System.getenv(ENV);
      source = "environment variable " + ENV;
    }
    if (explicit != null && !explicit.isBlank()) {
      Path p = Paths.get(explicit).toAbsolutePath().normalize();
      if (!Files.isDirectory(p)) {
        throw new IllegalStateException("The reference root " + p + " given by the " + source
            + " is not a directory.");
      }
      return List.of(p);
    }
    List<Path> roots = new ArrayList<>();
    for (String name : DEFAULT_ROOTS) {
      List<Path> tried = new ArrayList<>();
      Path found = null;
      for (Path shared : sharedDirs()) {
        Path p = shared.resolve(name);
        if (Files.isDirectory(p)) {
          found = p;
          break;
        }
        tried.add(p);
      }
      if (found == null) {
        throw new IllegalStateException("No reference root '" + name + "' found: set the system property " + PROPERTY
            + " or the environment variable " + ENV + "; tried " + tried + ".");
      }
      roots.add(found);
    }
    for (String candidate : GENERATED) {
      Path p = Paths.get(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        roots.add(p);
        return roots;
      }
    }
    throw new IllegalStateException("The repository's generated cases (tools/reference/cases) were not found from "
        + Paths.get("").toAbsolutePath() + ".");
  }

  /**
   * Where the shared fixtures may be: the system property {@code lorafleet.shared.dir} (the build
   * sets it to the folder beside the checkout), else {@code ../shared} and {@code ../../shared}.
   */
  public static List<Path> sharedDirs() {
    List<Path> dirs = new ArrayList<>();
    String shared = System.getProperty(SHARED_PROPERTY);
    if (shared != null && !shared.isBlank()) {
      dirs.add(Paths.get(shared).toAbsolutePath().normalize());
    }
    dirs.add(Paths.get("../shared").toAbsolutePath().normalize());
    dirs.add(Paths.get("../../shared").toAbsolutePath().normalize());
    return dirs;
  }

  /** Every case folder under the roots (any directory containing golden.json), root by root, sorted; never empty. */
  public static List<Path> all() {
    List<Path> cases = new ArrayList<>();
    for (Path root : roots()) {
      List<Path> found;
      try (Stream<Path> walk = Files.walk(root)) {
        found = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().equals("golden.json"))
            .map(Path::getParent)
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not list the reference root " + root + ".", e);
      }
      if (found.isEmpty()) {
        throw new IllegalStateException("The reference root " + root
            + " contains no case folder (a directory with golden.json).");
      }
      cases.addAll(found);
    }
    return cases;
  }

  /** A short display name for a case: its path relative to the parent of its root (e.g. reference/gpt2-tiny). */
  public static String name(Path caseDir) {
    Path c = caseDir.toAbsolutePath().normalize();
    for (Path root : roots()) {
      if (c.startsWith(root)) {
        return root.getParent().relativize(c).toString();
      }
    }
    return c.toString();
  }

  /** The parsed config.json of a case: its model_type says which family it is. */
  public static String modelType(Path caseDir) {
    try {
      return MAPPER.readTree(caseDir.resolve("config.json").toFile()).path("model_type").asText();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + caseDir.resolve("config.json") + ".", e);
    }
  }

  /** The parsed golden.json of a case. */
  public static JsonNode golden(Path caseDir) {
    Path file = caseDir.resolve("golden.json");
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file + ".", e);
    }
  }
}
