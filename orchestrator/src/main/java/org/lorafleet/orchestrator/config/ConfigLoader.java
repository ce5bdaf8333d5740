package org.lorafleet.orchestrator.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads job files: YAML → overrides → {@link JobConfig}, validating everything before anything runs
 * and reporting every problem at once in one {@link ConfigException}, each error with file, line and
 * dotted key ({@code job.yaml:12: train.lr: must be > 0 (got -1)}).
 *
 * <p>Files are read through a {@code Function<String, String>} from location to text, so the
 * orchestrator can pass one backed by a Hadoop FileSystem for {@code hdfs://} locations;
 * {@link #LOCAL_FILES} (the default) reads local paths and {@code file:} URIs.
 */
public final class ConfigLoader {

  /** Reads a local path or {@code file:} URI as UTF-8; any other URI scheme is refused. */
  public static final Function<String, String> LOCAL_FILES = ConfigLoader::readLocalFile;

  private static final Pattern URI_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

  private ConfigLoader() {}

  /** Loads a local job file without overrides. */
  public static JobConfig load(String location) {
    return load(location, List.of());
  }

  /**
   * Loads a local job file and applies {@code --set} overrides ({@code train.lr=1e-4}).
   *
   * @throws ConfigException listing every problem: unreadable file, YAML syntax, unknown keys, wrong
   *     types, values out of range, bad overrides
   */
  public static JobConfig load(String location, List<String> overrides) {
    return load(location, overrides, LOCAL_FILES);
  }

  /** As {@link #load(String, List)}, reading the file with {@code reader} (e.g. from HDFS). */
  public static JobConfig load(String location, List<String> overrides, Function<String, String> reader) {
    return resolve(read(location, reader), overrides, Overrides.COMMAND_LINE);
  }

  /** Loads a job from YAML text; {@code sourceName} names it in error messages. */
  public static JobConfig parse(String yamlText, String sourceName, List<String> overrides) {
    return resolve(LocatedYaml.parse(yamlText, sourceName), overrides, Overrides.COMMAND_LINE);
  }

  /**
   * Reads and parses any YAML file (job or sweep) with locations, without interpreting it.
   *
   * @throws ConfigException when the file cannot be read or is not valid YAML with a mapping on top
   */
  public static LocatedYaml read(String location, Function<String, String> reader) {
    String text;
    try {
      text = reader.apply(location);
    } catch (RuntimeException e) {
      throw new ConfigException(new ConfigError(location, 0, null, "cannot read the file: " + reason(e)));
    }
    if (text == null) {
      throw new ConfigException(new ConfigError(location, 0, null, "cannot read the file: the reader returned nothing"));
    }
    return LocatedYaml.parse(text, location);
  }

  /**
   * Applies overrides to a copy of a parsed job document and builds the job. Sweeps use this with
   * each trial's parameters as overrides and their own {@code overrideSource} (e.g. {@code trial 3}).
   */
  public static JobConfig resolve(LocatedYaml yaml, List<String> overrides, String overrideSource) {
    LocatedYaml doc = yaml.copy();
    Problems problems = new Problems(doc);
    if (doc.root().has("sweep")) {
      problems.add("sweep", "this is a sweep file, not a job file; run it with 'lorafleet sweep'");
      problems.throwIfAny();
    }
    Overrides.apply(doc, JobSchema.JOB, overrides, overrideSource, problems);
    JobConfig job = JobConfig.read(ConfigNode.root(doc, JobSchema.JOB, problems));
    problems.throwIfAny();
    if (job == null) {
      throw new IllegalStateException("The job in " + yaml.source() + " was not built, yet no problem was recorded.");
    }
    return job;
  }

  private static String readLocalFile(String location) {
    Path path;
    if (location.startsWith("file:")) {
      path = Path.of(URI.create(location));
    } else if (URI_SCHEME.matcher(location).matches()) {
      throw new IllegalArgumentException("only local files can be read here; " + location
          + " needs a reader for its Hadoop file system");
    } else {
      path = Path.of(location);
    }
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String reason(RuntimeException e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof NoSuchFileException) {
      return "no such file";
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : t.getClass() == IllegalArgumentException.class ? m
        : t.getClass().getSimpleName() + ": " + m;
  }
}
