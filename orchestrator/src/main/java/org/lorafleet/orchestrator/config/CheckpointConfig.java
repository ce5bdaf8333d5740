package org.lorafleet.orchestrator.config;

import java.time.Duration;

/**
 * Section {@code checkpoint}: periodic snapshots of adapter and optimizer (docs/ARCHITECTURE.md, "Checkpoint layout").
 *
 * @param dir where step folders go, local or any Hadoop URI; default null, which {@link JobConfig}
 *     resolves to {@code <output.dir>/checkpoints}
 * @param everySteps write a checkpoint every this many steps, >= 0 (0 = only the final one); default 50
 * @param keepLast keep the newest this many checkpoints, >= 1; default 3
 * @param resume {@code auto} (default: continue from the newest valid checkpoint in dir, if any),
 *     {@code never} (start fresh), or the path of one checkpoint folder to start from
 * @param writeRetries retries of a failed checkpoint or evaluation write before the job fails, 0..10; default 3
 * @param retryBackoff wait before the first retry, doubled for each next one (at most 30 s); default 1s
 */
public record CheckpointConfig(String dir, int everySteps, int keepLast, Resume resume, int writeRetries,
    Duration retryBackoff) {

  static final String SECTION = "checkpoint";

  /**
   * The resume policy: {@code auto}, {@code never}, or a checkpoint path.
   *
   * @param path the checkpoint folder when {@code mode} is PATH, else null
   */
  public record Resume(Mode mode, String path) implements YamlValue {

    /** Resume policies. */
    public enum Mode { AUTO, NEVER, PATH }

    public static final Resume AUTO = new Resume(Mode.AUTO, null);
    public static final Resume NEVER = new Resume(Mode.NEVER, null);

    public Resume {
      Checks c = new Checks(SECTION);
      c.check(mode != null, "resume", "is required");
      if (mode == Mode.PATH) {
        c.notBlank("resume", path);
      } else {
        c.check(path == null, "resume", "carries a path only when it is not auto or never");
      }
      c.done();
    }

    /** {@code auto}, {@code never}, or anything else as a path. */
    public static Resume parse(String s) {
      return switch (s) {
        case "auto" -> AUTO;
        case "never" -> NEVER;
        default -> new Resume(Mode.PATH, s);
      };
    }

    @Override
    public Object toYaml() {
      return toString();
    }

    /** The YAML spelling. */
    @Override
    public String toString() {
      return mode == Mode.PATH ? path : mode == Mode.AUTO ? "auto" : "never";
    }
  }

  public CheckpointConfig {
    Checks c = new Checks(SECTION);
    c.nullOrNotBlank("dir", dir);
    c.atLeast("every_steps", everySteps, 0);
    c.atLeast("keep_last", keepLast, 1);
    c.check(resume != null, "resume", "is required");
    c.check(writeRetries >= 0 && writeRetries <= 10, "write_retries", "must be between 0 and 10 (got " + writeRetries
        + ")");
    c.check(retryBackoff != null && !retryBackoff.isNegative() && retryBackoff.compareTo(Duration.ofMinutes(5)) <= 0,
        "retry_backoff", "must be between 0s and 5m (got " + (retryBackoff == null ? "null"
            : Durations.format(retryBackoff)) + ")");
    c.done();
  }

  /** The defaults of the two retry keys, for code that builds this section by hand. */
  public CheckpointConfig(String dir, int everySteps, int keepLast, Resume resume) {
    this(dir, everySteps, keepLast, resume, 3, Duration.ofSeconds(1));
  }

  /** This section with {@code dir} replaced. */
  public CheckpointConfig withDir(String newDir) {
    return new CheckpointConfig(newDir, everySteps, keepLast, resume, writeRetries, retryBackoff);
  }

  static CheckpointConfig read(ConfigNode n) {
    String dir = n.string("dir", null);
    int everySteps = n.integer("every_steps", 50);
    int keepLast = n.integer("keep_last", 3);
    String resume = n.string("resume", "auto");
    int writeRetries = n.integer("write_retries", 3);
    Duration retryBackoff = n.duration("retry_backoff", Duration.ofSeconds(1));
    Resume r = resume == null ? null : n.attempt(() -> Resume.parse(resume));
    if (resume == null) {
      n.error("resume", "must be auto, never or a checkpoint path (got null)");
    }
    return n.attempt(() -> new CheckpointConfig(dir, everySteps, keepLast, r == null ? Resume.AUTO : r, writeRetries,
        retryBackoff));
  }
}
