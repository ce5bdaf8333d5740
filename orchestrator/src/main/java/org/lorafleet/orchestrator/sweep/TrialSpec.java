package org.lorafleet.orchestrator.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.orchestrator.config.JobConfig;

/**
 * One trial of a sweep, fully resolved before anything runs.
 *
 * @param number 1-based position in the sweep
 * @param params the swept keys and the values this trial gives them, as {@code --set} spells them
 * @param job the trial's job: base file, the sweep's {@code set}, these params, and its own name and folders
 */
public record TrialSpec(int number, Map<String, String> params, JobConfig job) {

  public TrialSpec {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** {@code trial-003}. */
  public String id() {
    return id(number);
  }

  static String id(int number) {
    return String.format(java.util.Locale.ROOT, "trial-%03d", number);
  }
}
