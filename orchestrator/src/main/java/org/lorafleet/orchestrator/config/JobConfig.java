package org.lorafleet.orchestrator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One training job, as read from a YAML job file ({@link ConfigLoader}) with every default filled in.
 * Each section is a record validated in its constructor; this record resolves the defaults that
 * depend on other keys: {@code output.dir} null → {@code out/<name>}, {@code checkpoint.dir} null →
 * {@code <output.dir>/checkpoints}.
 *
 * @param name job name, made of letters, digits, '.', '_' and '-'. Required
 * @param seed seed of adapter initialisation, data shuffling and dropout, >= 0; default 42
 */
public record JobConfig(String name, long seed, ModelConfig model, LoraConfig lora, DataConfig data,
    TrainConfig train, DistributedConfig distributed, ParameterServerConfig parameterServer,
    CheckpointConfig checkpoint, OutputConfig output, SparkConfig spark) {

  /** Allowed job names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** Keys whose values must not change when a run resumes from a checkpoint ({@link #fingerprint()}). */
  public static final List<String> FINGERPRINT_KEYS = List.of("model.path", "lora.r", "lora.alpha",
      "lora.target_modules", "lora.rslora", "data.train", "data.format", "data.max_seq_len", "data.packing", "seed");

  public JobConfig {
    Checks c = new Checks("");
    checkNameAndSeed(c, name, seed);
    c.check(model != null, "model", "is required");
    c.check(lora != null, "lora", "is required");
    c.check(data != null, "data", "is required");
    c.check(train != null, "train", "is required");
    c.check(distributed != null, "distributed", "is required");
    c.check(parameterServer != null, "parameter_server", "is required");
    c.check(checkpoint != null, "checkpoint", "is required");
    c.check(output != null, "output", "is required");
    c.check(spark != null, "spark", "is required");
    c.done();
    if (output.dir() == null) {
      output = output.withDir("out/" + name);
    }
    if (checkpoint.dir() == null) {
      checkpoint = checkpoint.withDir(join(output.dir(), "checkpoints"));
    }
  }

  /**
   * The values that must not change when a run resumes from a checkpoint, keyed by dotted key in
   * {@link #FINGERPRINT_KEYS} order, each as a canonical string ({@code lora.alpha} → {@code 16},
   * {@code lora.target_modules} → {@code [q_proj, v_proj]} or {@code all-linear}). Store it with the
   * checkpoint and compare with {@link #fingerprintMismatches}.
   */
  public Map<String, String> fingerprint() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model.path", model.path());
    f.put("lora.r", Integer.toString(lora.r()));
    f.put("lora.alpha", Checks.num(lora.alpha()));
    f.put("lora.target_modules", lora.targetModules().toString());
    f.put("lora.rslora", Boolean.toString(lora.rslora()));
    f.put("data.train", data.train());
    f.put("data.format", data.format().yamlName());
    f.put("data.max_seq_len", Integer.toString(data.maxSeqLen()));
    f.put("data.packing", Boolean.toString(data.packing()));
    f.put("seed", Long.toString(seed));
    return f;
  }

  /**
   * Keys whose values differ between a stored fingerprint and this job's, each as
   * {@code key: 'stored' → 'now'}; a key missing on one side counts as different. Empty when resuming is safe.
   */
  public List<String> fingerprintMismatches(Map<String, String> stored) {
    List<String> out = new ArrayList<>();
    Map<String, String> now = fingerprint();
    for (String k : FINGERPRINT_KEYS) {
      if (!Objects.equals(stored.get(k), now.get(k))) {
        out.add(k + ": '" + stored.get(k) + "' → '" + now.get(k) + "'");
      }
    }
    return out;
  }

  static JobConfig read(ConfigNode n) {
    String name = n.requiredString("name");
    long seed = n.longInteger("seed", 42);
    ModelConfig model = ModelConfig.read(n.section("model"));
    LoraConfig lora = LoraConfig.read(n.section("lora"));
    DataConfig data = DataConfig.read(n.section("data"));
    TrainConfig train = TrainConfig.read(n.section("train"));
    DistributedConfig distributed = DistributedConfig.read(n.section("distributed"));
    ParameterServerConfig ps = ParameterServerConfig.read(n.section("parameter_server"));
    CheckpointConfig checkpoint = CheckpointConfig.read(n.section("checkpoint"));
    OutputConfig output = OutputConfig.read(n.section("output"));
    SparkConfig spark = SparkConfig.read(n.section("spark"));
    if (model == null || lora == null || data == null || train == null || distributed == null || ps == null
        || checkpoint == null || output == null || spark == null) {
      // A section is invalid: still report what is wrong with the top-level keys.
      n.attempt(() -> {
        Checks c = new Checks("");
        checkNameAndSeed(c, name, seed);
        c.done();
        return null;
      });
      return null;
    }
    return n.attempt(() -> new JobConfig(name, seed, model, lora, data, train, distributed, ps, checkpoint, output, spark));
  }

  private static void checkNameAndSeed(Checks c, String name, long seed) {
    if (c.notBlank("name", name)) {
      c.check(NAME.matcher(name).matches(), "name",
          "must consist of letters, digits, '.', '_' and '-' only (got '" + name + "')");
    }
    c.atLeast("seed", seed, 0);
  }

  private static String join(String dir, String child) {
    return dir.endsWith("/") ? dir + child : dir + "/" + child;
  }
}
