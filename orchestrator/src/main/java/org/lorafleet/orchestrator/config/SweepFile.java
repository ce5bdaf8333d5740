package org.lorafleet.orchestrator.config;

import static org.lorafleet.orchestrator.config.Schema.Type.ANY;
import static org.lorafleet.orchestrator.config.Schema.Type.INT;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING;
import static org.lorafleet.orchestrator.config.Schema.Type.STRING_LIST;

import java.util.List;
import java.util.function.Function;

/**
 * A sweep file, read and validated: {@code sweep} ({@link SweepConfig}), {@code parameters}
 * ({@link SweepParameter}) and the optional {@code early_stopping} ({@link EarlyStoppingConfig}), plus
 * the parsed base job it points at. Whether each trial's job is valid is checked by the sweep
 * planner, which builds them all before anything runs.
 *
 * @param location the sweep file as given
 * @param baseLocation the base job file, resolved against the sweep file's folder
 * @param base the base job file, parsed (not yet resolved into a job)
 * @param earlyStopping null when trials are not stopped early
 * @param document the sweep file as parsed, with overrides applied (for locating errors)
 */
public record SweepFile(String location, SweepConfig sweep, List<SweepParameter> parameters,
    EarlyStoppingConfig earlyStopping, String baseLocation, LocatedYaml base, LocatedYaml document) {

  public static final Schema SWEEP = Schema.builder()
      .add("name", STRING).add("base", STRING).add("set", STRING_LIST).add("metric", STRING).add("goal", STRING)
      .add("method", STRING).add("trials", INT).add("parallel", INT).add("seed", INT).add("output_dir", STRING)
      .build();

  public static final Schema EARLY_STOPPING = Schema.builder()
      .add("min_steps", INT).add("reduction_factor", INT).build();

  /** The whole sweep file. */
  public static final Schema FILE = Schema.builder()
      .section("sweep", SWEEP).add("parameters", ANY).section("early_stopping", EARLY_STOPPING).build();

  public SweepFile {
    parameters = List.copyOf(parameters);
  }

  /** Whether a parsed YAML file is a sweep file (it has a top-level {@code sweep} key). */
  public static boolean isSweep(LocatedYaml yaml) {
    return yaml.root().has("sweep");
  }

  /**
   * Reads a sweep file and the base job file it names.
   *
   * @param overrides {@code --set} overrides of the sweep file's own keys ({@code sweep.parallel=2})
   * @throws ConfigException listing every problem with file, line and key
   */
  public static SweepFile load(String location, List<String> overrides, Function<String, String> reader) {
    LocatedYaml doc = ConfigLoader.read(location, reader).copy();
    Problems problems = new Problems(doc);
    if (!isSweep(doc)) {
      problems.add("sweep", "this is not a sweep file (it has no 'sweep' section); run a job file with 'lorafleet train'");
      problems.throwIfAny();
    }
    Overrides.apply(doc, FILE, overrides, Overrides.COMMAND_LINE, problems);
    ConfigNode root = ConfigNode.root(doc, FILE, problems);
    SweepConfig sweep = SweepConfig.read(root.section("sweep"));
    List<SweepParameter> params = SweepParameter.readAll(root);
    EarlyStoppingConfig early = root.isSet("early_stopping")
        ? EarlyStoppingConfig.read(root.section("early_stopping")) : null;
    if (sweep != null && sweep.method() == SweepConfig.Method.GRID) {
      for (SweepParameter p : params) {
        if (p.kind() != SweepParameter.Kind.CHOICE) {
          problems.add(LocatedYaml.child("parameters", p.key()), "method grid needs a list of values; "
              + p.kind().yamlName() + " draws values at random, so use it with method: random");
        }
      }
    }
    LocatedYaml base = null;
    String baseLocation = null;
    if (sweep != null) {
      baseLocation = resolveAgainst(location, sweep.base());
      try {
        base = ConfigLoader.read(baseLocation, reader);
        if (isSweep(base)) {
          problems.add("sweep.base", baseLocation + " is a sweep file; base must be a job file");
        }
      } catch (ConfigException e) {
        String why = e.errors().size() == 1 ? e.errors().get(0).toString() : e.getMessage();
        problems.add("sweep.base", "cannot read the base job file: " + why);
      }
    }
    problems.throwIfAny();
    return new SweepFile(location, sweep, params, early, baseLocation, base, doc);
  }

  /** {@code relative} resolved against the folder of {@code file}; absolute paths and URIs unchanged. */
  static String resolveAgainst(String file, String relative) {
    if (relative.startsWith("/") || relative.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      return relative;
    }
    int slash = file.lastIndexOf('/');
    return slash < 0 ? relative : file.substring(0, slash + 1) + relative;
  }
}
