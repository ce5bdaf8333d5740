package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolved config as YAML, read back equal; the resume fingerprint. */
class ConfigWriterTest {

  @TempDir
  Path dir;

  /** Every key set to something other than its default. */
  static final String EVERYTHING = """
      name: every.key_set-1
      seed: 7
      model: {path: "hdfs://nn:8020/models/llama", backend: auto, adapter: "file:///adapters/start"}
      lora: {r: 16, alpha: 8.5, dropout: 0.1, target_modules: '.*\\.(q|v)_proj', rslora: true}
      data:
        train: "hdfs:///d/train.parquet"
        eval_fraction: 0.1
        format: chat
        max_seq_len: 1024
        packing: false
        bad_rows: fail
        text_field: body
        prompt_field: question
        completion_field: answer
        messages_field: conversation
        add_eos: false
        shuffle: false
      train: {max_steps: null, epochs: 3, micro_batch_size: 2, grad_accum: 8, lr: 1.5e-5, schedule: constant_with_warmup,
              warmup_steps: 0, min_lr_ratio: 0.1, weight_decay: 0.01, max_grad_norm: 0.5, eval_every: 0,
              eval_max_sequences: 20, log_every: 10}
      distributed: {workers: 16, mode: async, local_steps: 4, staleness: 0, aggregation: product, step_timeout: 1500ms}
      parameter_server: {bind: "[::]:7077", advertise: "driver.example.org:7077", auth: token,
                         secret: "0123456789abcdef0123", tls_cert: cert.pem, tls_key: key.pem, max_message_mb: 256}
      checkpoint: {dir: "hdfs:///ck/x", every_steps: 0, keep_last: 1, resume: never, write_retries: 5,
                   retry_backoff: 250ms}
      output: {dir: "hdfs:///out/x", merge: true}
      spark: {master: "spark://m:7077", conf: {spark.executor.memory: 8g, spark.task.cpus: "2", "yes": "true"}}
      """;

  @Test
  void everyNonDefaultValueSurvivesTheRoundTrip() {
    JobConfig c = TestFiles.load(dir, EVERYTHING);
    assertEquals(TargetModules.regex(".*\\.(q|v)_proj"), c.lora().targetModules());
    assertEquals(Map.of("spark.executor.memory", "8g", "spark.task.cpus", "2", "yes", "true"), c.spark().conf());
    String yaml = ConfigWriter.toYaml(c);
    assertEquals(c, ConfigLoader.parse(yaml, "resolved.yaml", List.of()), yaml);
  }

  @Test
  void defaultsAreWrittenAndReadBackEqual() {
    for (String job : List.of(BASE, BASE + "train:\n  epochs: 1\nlora:\n  target_modules: all-linear\n",
        BASE.replace("train: d.jsonl", "train: d.jsonl\n  eval: e.jsonl") + "checkpoint:\n  resume: 'auto/x'\n")) {
      JobConfig c = TestFiles.load(dir, job);
      String yaml = ConfigWriter.toYaml(c);
      assertEquals(c, ConfigLoader.parse(yaml, "resolved.yaml", List.of()), yaml);
    }
  }

  @Test
  void everySchemaKeyIsWritten() {
    JsonNode tree = ConfigWriter.toTree(TestFiles.load(dir, BASE));
    for (Schema.Field f : JobSchema.JOB.fields()) {
      assertTrue(tree.has(f.name()), f.name());
      if (f.type() == Schema.Type.SECTION) {
        for (String k : f.section().names()) {
          assertTrue(tree.get(f.name()).has(k), f.name() + "." + k);
        }
        assertEquals(f.section().names().size(), tree.get(f.name()).size(), "no keys beyond the schema in " + f.name());
      }
    }
    assertEquals(JobSchema.JOB.names().size(), tree.size());
    String yaml = ConfigWriter.toYaml(TestFiles.load(dir, BASE));
    assertTrue(yaml.startsWith("# Resolved configuration of job t"), yaml);
    assertTrue(yaml.contains("  adapter: null\n"), yaml);
    assertTrue(yaml.contains("  step_timeout: 2m\n"), yaml);
  }

  @Test
  void redactedYamlDropsTheSecret() {
    JobConfig c = TestFiles.load(dir, EVERYTHING);
    String redacted = ConfigWriter.toRedactedYaml(c);
    assertFalse(redacted.contains("0123456789abcdef0123"), redacted);
    JobConfig back = ConfigLoader.parse(redacted, "r.yaml", List.of());
    assertNull(back.parameterServer().secret());
    assertEquals(c.lora(), back.lora());
  }

  @Test
  void aSweepDocumentLosesItsCredentialsInMappingsAndOverrides() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var doc = mapper.readTree("""
        sweep:
          set: [train.max_steps=60, parameter_server.secret=s3cr3t-set-0123456789, spark.conf.spark.ssl.keyPassword=kp]
          base: quickstart.yaml
        parameters:
          lora.r: [4, 8]
        base_overrides: {parameter_server: {secret: s3cr3t-map-0123456789}}
        """);
    String out = mapper.writeValueAsString(ConfigWriter.redacted(doc));
    for (String leaked : List.of("s3cr3t-set", "s3cr3t-map", "=kp")) {
      assertFalse(out.contains(leaked), leaked + " leaked:\n" + out);
    }
    assertTrue(out.contains("parameter_server.secret=<redacted>") && out.contains("train.max_steps=60")
        && out.contains("quickstart.yaml"), out);
    assertTrue(doc.toString().contains("s3cr3t-map"), "the document itself is not changed");
  }

  @Test
  void redactedYamlHidesCredentialsInSparkConf() {
    Map<String, String> secrets = Map.of("spark.authenticate.secret", "s3cr3t-auth",
        "spark.hadoop.fs.s3a.secret.key", "s3cr3t-s3a", "spark.ssl.keyStorePassword", "s3cr3t-ks",
        "spark.hadoop.fs.azure.account.key.acct.blob.core.windows.net", "s3cr3t-azure",
        "spark.hadoop.fs.s3a.session.token", "s3cr3t-token");
    StringBuilder conf = new StringBuilder("spark:\n  conf:\n    spark.executor.memory: 2g\n");
    secrets.forEach((k, v) -> conf.append("    ").append(k).append(": ").append(v).append('\n'));
    JobConfig c = TestFiles.load(dir, BASE + conf);
    String redacted = ConfigWriter.toRedactedYaml(c);
    for (String v : secrets.values()) {
      assertFalse(redacted.contains(v), v + " leaked:\n" + redacted);
    }
    JobConfig back = ConfigLoader.parse(redacted, "r.yaml", List.of());
    assertEquals("2g", back.spark().conf().get("spark.executor.memory"), "non-secret values are kept");
    assertEquals(ConfigWriter.REDACTED, back.spark().conf().get("spark.authenticate.secret"));
  }

  @Test
  void durationsUseTheirShortestSpelling() {
    assertEquals("2m", Durations.format(Durations.parse("120s")));
    assertEquals("1500ms", Durations.format(Durations.parse("1500ms")));
    assertEquals("1h", Durations.format(Durations.parse("60m")));
    assertEquals("45s", Durations.format(Durations.parse("45")));
    assertNull(Durations.parse("1.5s"));
  }

  @Test
  void fingerprintHoldsTheKeysThatMustNotChangeOnResume() {
    JobConfig c = TestFiles.load(dir, BASE + "lora:\n  target_modules: all-linear\n");
    Map<String, String> f = c.fingerprint();
    assertEquals(JobConfig.FINGERPRINT_KEYS, List.copyOf(f.keySet()));
    String cwd = java.nio.file.Path.of("").toAbsolutePath().toString();
    assertEquals(cwd + "/m", f.get("model.path"), "local paths are absolute and normalised");
    assertEquals(cwd + "/d.jsonl", f.get("data.train"));
    assertEquals("all-linear", f.get("lora.target_modules"));
    assertEquals("sync", f.get("distributed.mode"));
    assertEquals("2", f.get("distributed.workers"));
    assertEquals("4", f.get("train.micro_batch_size"));
    assertEquals("0.02", f.get("data.eval_fraction"));
    assertEquals("[q_proj, v_proj]", TestFiles.load(dir, BASE).fingerprint().get("lora.target_modules"));

    assertEquals(List.of(), c.fingerprintMismatches(f));
    assertEquals(List.of(), TestFiles.load(dir, BASE + "lora:\n  target_modules: all-linear\n",
        "data.train=./sub/../d.jsonl", "model.path=./m").fingerprintMismatches(f), "the same files spelled otherwise");
    JobConfig changed = TestFiles.load(dir, BASE + "lora:\n  target_modules: all-linear\n", "lora.r=4",
        "train.lr=1e-3", "data.max_seq_len=512", "distributed.mode=async", "train.grad_accum=2");
    assertEquals(List.of("lora.r: '8' → '4'", "data.max_seq_len: '256' → '512'", "distributed.mode: 'sync' → 'async'",
        "train.grad_accum: '1' → '2'", "train.lr: '0.0002' → '0.001'"), changed.fingerprintMismatches(f));
    assertNotNull(c.fingerprintMismatches(Map.of()).get(0));
  }
}
