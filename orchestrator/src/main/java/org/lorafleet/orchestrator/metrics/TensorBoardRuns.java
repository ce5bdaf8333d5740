package org.lorafleet.orchestrator.metrics;

import java.nio.file.Path;

/**
 * Where runs put their TensorBoard event files. A job writes to {@code <output>/tensorboard}; a sweep's
 * trials write to {@code <sweep>/tensorboard/<trial>}, so that {@code tensorboard --logdir
 * <sweep>/tensorboard} shows every trial as its own run, side by side.
 */
public final class TensorBoardRuns {

  private TensorBoardRuns() {}

  /** The event folder of a job whose output folder is {@code outputDir}. */
  public static Path forJob(Path outputDir) {
    return outputDir.resolve("tensorboard");
  }

  /** The event folder of trial {@code trialName} (one folder name, such as "t003") of a sweep. */
  public static Path forTrial(Path sweepDir, String trialName) {
    if (trialName.isEmpty() || trialName.equals(".") || trialName.equals("..") || trialName.contains("/")
        || trialName.contains("\\")) {
      throw new IllegalArgumentException("A trial name must be one folder name, not \"" + trialName + "\".");
    }
    return sweepDir.resolve("tensorboard").resolve(trialName);
  }
}
