package org.lorafleet.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Wrong value types, unknown keys with suggestions, and many mistakes reported together. */
class TypeAndKeyErrorsTest {

  @TempDir
  Path dir;

  static Arguments c(String yaml, String key, String message) {
    return Arguments.of(key + " / " + message, yaml, key, message);
  }

  static Stream<Arguments> typeErrors() {
    return Stream.of(
        c(BASE + "train:\n  micro_batch_size: four  #<\n", "train.micro_batch_size", "expected an integer, got 'four'"),
        c(BASE + "lora:\n  r: 2.5  #<\n", "lora.r", "expected an integer, got 2.5"),
        c(BASE + "train:\n  lr: fast  #<\n", "train.lr", "expected a number, got 'fast'"),
        c(BASE + "train:\n  lr:  #<\n", "train.lr", "expected a number, got null"),
        c(BASE + "train:\n  lr: [1, 2]  #<\n", "train.lr", "expected a number, got a list"),
        c(BASE + "lora:\n  rslora: maybe  #<\n", "lora.rslora",
            "expected true or false, got 'maybe'"),
        c("name: [a, b]  #<\nmodel:\n  path: m\ndata:\n  train: d\n", "name", "expected a string, got a list"),
        c(BASE + "seed: 1.5  #<\n", "seed", "expected an integer, got 1.5"),
        c(BASE + "lora:\n  target_modules: {q: v}  #<\n", "lora.target_modules",
            "expected a string or a list of strings, got a mapping"),
        c(BASE + "lora:\n  target_modules: [q_proj, [v_proj]]  #<\n", "lora.target_modules[1]",
            "expected a string, got a list"),
        c(BASE + "distributed:\n  workers: 3000000000  #<\n", "distributed.workers", "is too large (got 3000000000)"),
        c(BASE + "spark:\n  conf:\n    spark.jars: [a, b]  #<\n", "spark.conf.spark.jars", "expected a string value, got a list"),
        c(BASE + "checkpoint: [a]  #<\n", "checkpoint", "expected a mapping of keys, got a list"));
  }

  static Stream<Arguments> unknownKeys() {
    return Stream.of(
        c(BASE + "lora:\n  r: 8\n  alpah: 32  #<\n", "lora.alpah", "unknown key; did you mean 'alpha'?"),
        c(BASE + "lroa:  #<\n  r: 8\n", "lroa", "unknown key; did you mean 'lora'?"),
        c(BASE + "train:\n  maxSteps: 10  #<\n", "train.maxSteps", "unknown key; did you mean 'max_steps'?"),
        c(BASE + "train:\n  micro_batch: 2  #<\n", "train.micro_batch", "unknown key; did you mean 'micro_batch_size'?"),
        c(BASE + "parameter_server:\n  tls_crt: c.pem  #<\n", "parameter_server.tls_crt",
            "unknown key; did you mean 'tls_cert'?"),
        c(BASE + "output:\n  colour: blue  #<\n", "output.colour", "unknown key; expected one of dir, merge"),
        c(BASE + "sweep_of: 3  #<\n", "sweep_of", "unknown key; expected one of name, seed, model, lora, data, "
            + "train, distributed, parameter_server, checkpoint, output, spark"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"typeErrors", "unknownKeys"})
  void reportsTheMistakeAtItsLine(String title, String yaml, String key, String message) {
    TestFiles.assertSingleError(dir, yaml, key, message);
  }

  @Test
  void threeMistakesGiveThreeErrorsInLineOrder() {
    String yaml = """
        name: t
        model:
          path: m
        lora:
          alpah: 16
        data:
          train: d.jsonl
          max_seq_len: 4
        train:
          micro_batch_size: four
        """;
    ConfigException e = TestFiles.failure(dir, yaml);
    String f = dir.resolve("job.yaml").toString();
    assertEquals(List.of(
        new ConfigError(f, 5, "lora.alpah", "unknown key; did you mean 'alpha'?"),
        new ConfigError(f, 8, "data.max_seq_len", "must be >= 8 (got 4)"),
        new ConfigError(f, 10, "train.micro_batch_size", "expected an integer, got 'four'")), e.errors());
    assertEquals("The configuration has 3 errors:\n"
        + f + ":5: lora.alpah: unknown key; did you mean 'alpha'?\n"
        + f + ":8: data.max_seq_len: must be >= 8 (got 4)\n"
        + f + ":10: train.micro_batch_size: expected an integer, got 'four'", e.getMessage());
  }

  @Test
  void errorsInSeveralSectionsAndTopLevelKeysAreAllReported() {
    String yaml = """
        name: 'no spaces'
        seed: -3
        model:
          backend: tpu
        data:
          train: d
          eval: e
          eval_fraction: 0.2
        lora:
          r: 0
          dropout: 2
        parameter_server:
          bind: '0.0.0.0:0'
          auth: none
        """;
    ConfigException e = TestFiles.failure(dir, yaml);
    List<String> keys = e.errors().stream().map(ConfigError::key).toList();
    assertEquals(List.of("name", "seed", "model.path", "model.backend", "data.eval_fraction", "lora.r", "lora.dropout",
        "parameter_server.bind", "parameter_server.auth"), keys, e.getMessage());
    assertEquals(List.of(1, 2, 3, 4, 8, 10, 11, 13, 14), e.errors().stream().map(ConfigError::line).toList());
  }

  @Test
  void suggestionsPreferExactShapeThenDistanceThenPrefix() {
    List<String> keys = JobSchema.TRAIN.names();
    assertEquals(Optional.of("max_steps"), Suggestions.closest("MAX-STEPS", keys));
    assertEquals(Optional.of("lr"), Suggestions.closest("lrr", keys));
    assertEquals(Optional.of("warmup_steps"), Suggestions.closest("warmup", keys));
    assertEquals(Optional.empty(), Suggestions.closest("optimizer", keys));
    assertEquals(Optional.empty(), Suggestions.closest("x", List.of("r")), "one letter is too short to guess from");
    assertEquals(3, Suggestions.levenshtein("kitten", "sitting"));
    assertEquals(1, Suggestions.levenshtein("cdua", "cuda"), "a swap of neighbours is one edit");
    assertEquals(0, Suggestions.levenshtein("", ""));
    assertTrue(Suggestions.unknownKey("zzz", List.of("a", "b")).endsWith("expected one of a, b"));
  }
}
