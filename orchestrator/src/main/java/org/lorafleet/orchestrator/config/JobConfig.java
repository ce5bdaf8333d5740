package org.lorafleet.orchestrator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.lorafleet.trainer.model.BaseDType;

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
      "lora.target_modules", "lora.rslora", "data.train", "data.eval", "data.eval_fraction", "data.format",
      "data.max_seq_len", "data.packing", "seed", "distributed.mode", "distributed.workers", "distributed.local_steps",
      "distributed.staleness", "distributed.aggregation", "train.micro_batch_size", "train.grad_accum",
      "train.max_steps", "train.epochs", "train.lr", "train.schedule", "train.warmup_steps", "train.min_lr_ratio",
      "train.weight_decay", "train.max_grad_norm");

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
    Checks precision = new Checks("train");
    precision.check(train.precision() != org.lorafleet.trainer.model.Precision.BF16 || model.dtype() == BaseDType.AUTO
        || model.dtype() == BaseDType.BFLOAT16, "precision", "is bf16, which holds the base in bfloat16, "
        + "but model.dtype is " + model.dtype().configName() + "; set model.dtype to auto or bfloat16, or "
        + "train.precision to fp32");
    precision.done();
    if (output.dir() == null) {
      output = output.withDir("out/" + name);
    }
    if (checkpoint.dir() == null) {
      checkpoint = checkpoint.withDir(join(output.dir(), "checkpoints"));
    }
  }

  /** How workers, evaluations and the driver hold and multiply the base: model.dtype/quantize with train.precision. */
  public org.lorafleet.trainer.model.LoadOptions loadOptions() {
    return model.loadOptions().withPrecision(train.precision());
  }

  /** This job with another model section (a Hub id replaced by the folder the run reads). */
  public JobConfig withModel(ModelConfig m) {
    return new JobConfig(name, seed, m, lora, data, train, distributed, parameterServer, checkpoint, output, spark);
  }

  /**
   * The values that must not change when a run resumes from a checkpoint, because each changes the
   * math of the steps still to run (the model, the adapter's shape, which rows train and evaluate, the
   * batch layout, the update rule and the schedule), keyed by dotted key in {@link #FINGERPRINT_KEYS}
   * order, each as a canonical string ({@code lora.alpha} → {@code 16}, {@code lora.target_modules} →
   * {@code [q_proj, v_proj]} or {@code all-linear}, local paths absolute and normalised so that
   * {@code ./d.jsonl} and {@code d.jsonl} agree). The data files' contents are fingerprinted apart
   * (they need the file system). Store it with the checkpoint and compare with {@link #fingerprintMismatches}.
   */
  public Map<String, String> fingerprint() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model.path", canonicalPath(model.path()));
    f.put("lora.r", Integer.toString(lora.r()));
    f.put("lora.alpha", Checks.num(lora.alpha()));
    f.put("lora.target_modules", lora.targetModules().toString());
    f.put("lora.rslora", Boolean.toString(lora.rslora()));
    f.put("data.train", canonicalPath(data.train()));
    f.put("data.eval", data.eval() == null ? "none" : canonicalPath(data.eval()));
    f.put("data.eval_fraction", Checks.num(data.evalFraction()));
    f.put("data.format", data.format().yamlName());
    f.put("data.max_seq_len", Integer.toString(data.maxSeqLen()));
    f.put("data.packing", Boolean.toString(data.packing()));
    f.put("seed", Long.toString(seed));
    f.put("distributed.mode", distributed.mode().configName());
    f.put("distributed.workers", Integer.toString(distributed.workers()));
    f.put("distributed.local_steps", Integer.toString(distributed.localSteps()));
    f.put("distributed.staleness", Integer.toString(distributed.staleness()));
    f.put("distributed.aggregation", distributed.aggregation().configName());
    f.put("train.micro_batch_size", Integer.toString(train.microBatchSize()));
    f.put("train.grad_accum", Integer.toString(train.gradAccum()));
    f.put("train.max_steps", String.valueOf(train.maxSteps()));
    f.put("train.epochs", String.valueOf(train.epochs()));
    f.put("train.lr", Checks.num(train.lr()));
    f.put("train.schedule", train.schedule().yamlName());
    f.put("train.warmup_steps", Integer.toString(train.warmupSteps()));
    f.put("train.min_lr_ratio", Checks.num(train.minLrRatio()));
    f.put("train.weight_decay", Checks.num(train.weightDecay()));
    f.put("train.max_grad_norm", Checks.num(train.maxGradNorm()));
    return f;
  }

  /**
   * Keys whose values differ between a stored fingerprint and this job's, each as
   * {@code key: 'stored' → 'now'}; a key missing on one side counts as different. Empty when resuming is safe.
   */
  public List<String> fingerprintMismatches(Map<String, String> stored) {
    return fingerprintMismatches(stored, fingerprint());
  }

  /** As {@link #fingerprintMismatches(Map)}, over every key of either map (this job's may hold more, e.g. data contents). */
  public static List<String> fingerprintMismatches(Map<String, String> stored, Map<String, String> now) {
    List<String> out = new ArrayList<>();
    java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(now.keySet());
    keys.addAll(stored.keySet());
    for (String k : keys) {
      if (!Objects.equals(stored.get(k), now.get(k))) {
        out.add(k + ": '" + stored.get(k) + "' → '" + now.get(k) + "'");
      }
    }
    return out;
  }

  /** A local path made absolute and normalised; a URI (hdfs://…, file:/…) normalised as a URI. */
  static String canonicalPath(String p) {
    try {
      if (p.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
        return java.net.URI.create(p).normalize().toString();
      }
      return java.nio.file.Path.of(p).toAbsolutePath().normalize().toString();
    } catch (IllegalArgumentException e) { // also InvalidPathException
      return p; // not a path either way: compared as written
    }
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
