package org.lorafleet.orchestrator.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.orchestrator.config.ConfigError;
import org.lorafleet.orchestrator.config.ConfigException;
import org.lorafleet.orchestrator.config.ConfigLoader;
import org.lorafleet.orchestrator.config.JobConfig;
import org.lorafleet.orchestrator.config.LocatedYaml;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.config.SweepFile;

/**
 * Every trial of a sweep with its job resolved and validated, before anything runs. A trial's job
 * is the base file + the sweep's {@code set} + its parameter values + its own name, output and
 * checkpoint folders (checkpoint.resume auto, so an interrupted trial continues). A problem in a
 * trial's job is reported at the sweep-file line that caused it, naming the trial and its values.
 */
public record SweepPlan(SweepFile file, List<TrialSpec> trials) {

  public SweepPlan {
    trials = List.copyOf(trials);
  }

  public SweepConfig sweep() {
    return file.sweep();
  }

  /** Where trial {@code id}'s folder is. */
  public String trialDir(String id) {
    return trialDir(file.sweep(), id);
  }

  /**
   * Samples the trials and resolves every trial's job.
   *
   * @throws ConfigException listing every problem (each distinct one once)
   */
  public static SweepPlan build(SweepFile file) {
    SweepConfig s = file.sweep();
    List<Map<String, String>> values = s.method() == SweepConfig.Method.GRID
        ? TrialSampler.grid(file.parameters(), s.trials())
        : TrialSampler.random(file.parameters(), s.trials(), s.seed());
    Map<String, ConfigError> problems = new LinkedHashMap<>();
    List<TrialSpec> trials = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      int number = i + 1;
      String id = TrialSpec.id(number);
      List<String> overrides = new ArrayList<>(s.set());
      values.get(i).forEach((k, v) -> overrides.add(k + "=" + v));
      overrides.add("name=" + s.name() + "-" + id);
      String dir = trialDir(s, id);
      overrides.add("output.dir=" + dir);
      overrides.add("checkpoint.dir=" + dir + "/checkpoints");
      overrides.add("checkpoint.resume=auto");
      try {
        JobConfig job = ConfigLoader.resolve(file.base(), overrides, id);
        if (s.metric().needsEval() && job.data().eval() == null && job.data().evalFraction() == 0) {
          add(problems, at(file, "sweep.metric", "metric " + s.metric().yamlName() + " needs evaluation data, "
              + "but the base job has none; set data.eval or data.eval_fraction > 0 in " + file.baseLocation()));
        }
        if (s.parallel() > 1 && job.parameterServer().bindPort() != 0) {
          add(problems, at(file, "sweep.parallel", "trials running at once need their own parameter-server ports, but "
              + "parameter_server.bind fixes port " + job.parameterServer().bindPort() + "; bind to port 0 (any free "
              + "port) or set sweep.parallel to 1"));
        }
        trials.add(new TrialSpec(number, values.get(i), job));
      } catch (ConfigException e) {
        for (ConfigError err : e.errors()) {
          add(problems, relocate(file, err, id, values.get(i)));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(new ArrayList<>(problems.values()));
    }
    return new SweepPlan(file, trials);
  }

  static String trialDir(SweepConfig s, String id) {
    return s.outputDir() + "/trials/" + id;
  }

  /** An error raised by a trial's override is placed where the sweep file sets that key. */
  private static ConfigError relocate(SweepFile file, ConfigError err, String id, Map<String, String> values) {
    if (!id.equals(err.file())) {
      return err; // a problem in the base file itself, already located there
    }
    String key = err.key() == null ? "" : err.key();
    if (values.containsKey(key)) {
      return at(file, LocatedYaml.child("parameters", key), "in " + id + " (" + key + "=" + values.get(key) + "): "
          + err.message());
    }
    return at(file, "sweep.set", "in " + id + ", " + key + ": " + err.message());
  }

  private static ConfigError at(SweepFile file, String path, String message) {
    LocatedYaml.Location l = file.document().locate(path);
    return new ConfigError(l.source(), l.line(), path, message);
  }

  private static void add(Map<String, ConfigError> problems, ConfigError e) {
    String message = e.message().replaceFirst("^in trial-\\d+", "in a trial");
    problems.putIfAbsent(e.line() + "|" + e.key() + "|" + message, e);
  }
}
