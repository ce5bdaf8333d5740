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
 * implementation. The root is the system property {@code lorafleet.reference.dir}, else the
 * environment variable {@code LORAFLEET_REFERENCE_DIR}, else {@code ../shared/reference} or
 * {@code ../../shared/reference} relative to the working directory (the repository root or a module
 * directory). Tests must not hard-code case names: iterate {@link #all()}.
 */
public final class ReferenceCases {

  public static final String PROPERTY = "lorafleet.reference.dir";
  public static final String ENV = "LORAFLEET_REFERENCE_DIR";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReferenceCases() {
  }

  /** The reference root; fails if an explicitly configured root does not exist or none is found. */
  public static Path root() {
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
      return p;
    }
    List<Path> tried = new ArrayList<>();
    for (String candidate : new String[] {"../shared/reference", "../../shared/reference"}) {
      Path p = Paths.get(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        return p;
      }
      tried.add(p);
    }
    throw new IllegalStateException("No reference root found: set the system property " + PROPERTY
        + " or the environment variable " + ENV + "; tried " + tried + ".");
  }

  /** Every case folder under the root (any directory containing golden.json), sorted; never empty. */
  public static List<Path> all() {
    Path root = root();
    List<Path> cases;
    try (Stream<Path> walk = Files.walk(root)) {
      cases = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().equals("golden.json"))
          .map(Path::getParent)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list the reference root " + root + ".", e);
    }
    if (cases.isEmpty()) {
      throw new IllegalStateException("The reference root " + root
          + " contains no case folder (a directory with golden.json).");
    }
    return cases;
  }

  /** A short display name for a case: its path relative to the root. */
  public static String name(Path caseDir) {
    return root().relativize(caseDir.toAbsolutePath().normalize()).toString();
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
