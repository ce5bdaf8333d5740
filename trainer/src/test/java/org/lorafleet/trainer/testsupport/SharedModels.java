package org.lorafleet.trainer.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Real pretrained models for end-to-end tests, read in place (never copied into the repository):
 * {@code <models root>/<name>}. The root is the system property {@code lorafleet.models.dir}, else
 * the environment variable {@code LORAFLEET_MODELS_DIR}, else {@code models} of the shared folder
 * ({@link ReferenceCases#sharedDirs()}). A missing model fails the test loudly.
 */
public final class SharedModels {

  public static final String PROPERTY = "lorafleet.models.dir";
  public static final String ENV = "LORAFLEET_MODELS_DIR";

  private SharedModels() {}

  /** The folder of model {@code name} (e.g. stories260K), which must hold a config.json. */
  public static Path model(String name) {
    List<Path> tried = new ArrayList<>();
    String explicit = System.getProperty(PROPERTY);
    if (explicit == null || explicit.isBlank()) {
      explicit = System.getenv(ENV);
    }
    List<Path> roots = new ArrayList<>();
    if (explicit != null && !explicit.isBlank()) {
      roots.add(Paths.get(explicit));
    } else {
      for (Path shared : ReferenceCases.sharedDirs()) {
        roots.add(shared.resolve("models"));
      }
    }
    for (Path root : roots) {
      Path dir = root.resolve(name).toAbsolutePath().normalize();
      if (Files.isRegularFile(dir.resolve("config.json"))) {
        return dir;
      }
      tried.add(dir);
    }
    throw new IllegalStateException("The pretrained model '" + name + "' was not found (tried " + tried + "); set "
        + PROPERTY + " or " + ENV + " to the folder that holds it.");
  }
}
