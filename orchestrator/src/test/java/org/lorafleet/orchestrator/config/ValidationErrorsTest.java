package org.lorafleet.orchestrator.config;

import static org.lorafleet.orchestrator.config.TestFiles.BASE;
import static org.lorafleet.orchestrator.config.TestFiles.NAME_ONLY;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation rule of the top-level keys and of sections model, lora, data and train: each case
 * is a file with one mistake on the line marked {@code #<}, and must give exactly that one error.
 */
class ValidationErrorsTest {

  @TempDir
  Path dir;

  static Arguments c(String yaml, String key, String message) {
    return Arguments.of(key + " / " + message, yaml, key, message);
  }

  static Stream<Arguments> topLevelAndModel() {
    String dataOnly = "data:\n  train: d.jsonl\n";
    return Stream.of(
        c("#<\nmodel:\n  path: m\n" + dataOnly, "name", "required key is missing"),
        c("name: 'bad name!' #<\nmodel:\n  path: m\n" + dataOnly, "name",
            "must consist of letters, digits, '.', '_' and '-' only (got 'bad name!')"),
        c("name: ''  #<\nmodel:\n  path: m\n" + dataOnly, "name", "must not be empty"),
        c(BASE + "seed: -1 #<\n", "seed", "must be >= 0 (got -1)"),
        c(NAME_ONLY + "model:  #<\n  backend: cpu\n" + dataOnly, "model.path", "required key is missing"),
        c("name: t  #< no model section at all: the error points at line 1\n" + dataOnly, "model.path",
            "required key is missing"),
        c(NAME_ONLY + "model:\n  path: ''  #<\n" + dataOnly, "model.path", "must not be empty"),
        c(NAME_ONLY + "model:\n  path: m\n  backend: metal  #<\n" + dataOnly, "model.backend",
            "must be one of cpu, cuda, auto (got 'metal')"),
        c(NAME_ONLY + "model:\n  path: m\n  backend: cdua  #<\n" + dataOnly, "model.backend",
            "must be one of cpu, cuda, auto (got 'cdua'); did you mean 'cuda'?"),
        c(NAME_ONLY + "model:\n  path: m\n  adapter: ' '  #<\n" + dataOnly, "model.adapter",
            "must not be empty (use null to leave it unset)"),
        c(NAME_ONLY + "model:\n  path: m\n  dtype: bf16  #<\n" + dataOnly, "model.dtype",
            "must be one of auto, float32, bfloat16, float16 (got 'bf16')"),
        c(NAME_ONLY + "model:\n  path: m\n  quantize: nf5  #<\n" + dataOnly, "model.quantize",
            "must be one of none, int8, nf4, int4 (got 'nf5'); did you mean 'nf4'?"),
        c(NAME_ONLY + "model:\n  path: m\n  quantize: int8\n  double_quant: true  #<\n" + dataOnly,
            "model.double_quant",
            "applies to the 4-bit formats only; set model.quantize to nf4 or int4, or double_quant to false"),
        c(BASE + "lora: 5  #<\n", "lora", "expected a mapping of keys, got 5"));
  }

  static Stream<Arguments> lora() {
    return Stream.of(
        c(BASE + "lora:\n  r: 0  #<\n", "lora.r", "must be > 0 (got 0)"),
        c(BASE + "lora:\n  alpha: -1  #<\n", "lora.alpha", "must be > 0 (got -1)"),
        c(BASE + "lora:\n  dropout: 1.0  #<\n", "lora.dropout", "must be in [0, 1) (got 1)"),
        c(BASE + "lora:\n  dropout: -0.1  #<\n", "lora.dropout", "must be in [0, 1) (got -0.1)"),
        c(BASE + "lora:\n  target_modules: []  #<\n", "lora.target_modules",
            "must name at least one module, or be all-linear or a regular expression"),
        c(BASE + "lora:\n  target_modules: 'q_proj('  #<\n", "lora.target_modules",
            "is not a valid regular expression: Unclosed group near index 7 (got 'q_proj(')"),
        c(BASE + "lora:\n  target_modules: [all-linear, q_proj]  #<\n", "lora.target_modules",
            "all-linear stands alone; write target_modules: all-linear"),
        c(BASE + "lora:\n  target_modules:\n    - q_proj\n    - ''  #<\n", "lora.target_modules[1]", "must not be empty"));
  }

  static Stream<Arguments> data() {
    String model = "model:\n  path: m\n";
    return Stream.of(
        c(NAME_ONLY + model + "data:  #<\n  format: text\n", "data.train", "required key is missing"),
        c(NAME_ONLY + model + "data:\n  train: null  #<\n", "data.train", "is required, got null"),
        c(NAME_ONLY + model + "data:\n  train: t\n  eval: e\n  eval_fraction: 0.1  #<\n", "data.eval_fraction",
            "must be 0 when data.eval is set; give an eval file or a fraction, not both (got 0.1)"),
        c(NAME_ONLY + model + "data:\n  train: t\n  eval_fraction: 0.7  #<\n", "data.eval_fraction",
            "must be in [0, 0.5] (got 0.7)"),
        c(NAME_ONLY + model + "data:\n  train: t\n  format: json  #<\n", "data.format",
            "must be one of text, completion, alpaca, chat (got 'json')"),
        c(NAME_ONLY + model + "data:\n  train: t\n  max_seq_len: 4  #<\n", "data.max_seq_len", "must be >= 8 (got 4)"),
        c(NAME_ONLY + model + "data:\n  train: t\n  bad_rows: ignore  #<\n", "data.bad_rows",
            "must be one of skip, fail (got 'ignore')"),
        c(NAME_ONLY + model + "data:\n  train: t\n  prompt_field: ''  #<\n", "data.prompt_field", "must not be empty"),
        c(NAME_ONLY + model + "data:\n  train: t\n  eval: ''  #<\n", "data.eval",
            "must not be empty (use null to leave it unset)"));
  }

  /** The filter thresholds are checked by their own record; the error still names the key and its line. */
  static Stream<Arguments> quality() {
    String q = NAME_ONLY + "model:\n  path: m\ndata:\n  train: t\n  quality:\n";
    return Stream.of(
        c(q + "    max_symbol_ratio: -0.1  #<\n", "data.quality.max_symbol_ratio",
            "must be a finite number of at least 0, got -0.1"),
        c(q + "    max_ellipsis_lines: 2  #<\n", "data.quality.max_ellipsis_lines", "must be between 0 and 1, got 2.0"),
        c(q + "    max_lines_without_punctuation: -1  #<\n", "data.quality.max_lines_without_punctuation",
            "must be between 0 and 1, got -1.0"),
        c(q + "    num_perm: 8  #<\n", "data.quality.num_perm", "must be between 16 and 1024, got 8"));
  }

  static Stream<Arguments> train() {
    return Stream.of(
        c(BASE + "train:\n  max_steps: 10\n  epochs: 2  #<\n", "train.epochs",
            "cannot be set together with train.max_steps; set one of them (and the other to null)"),
        c(BASE + "train:\n  max_steps: null  #<\n", "train.max_steps",
            "is required when train.epochs is not set; set one of them"),
        c(BASE + "train:\n  max_steps: 0  #<\n", "train.max_steps", "must be >= 1 (got 0)"),
        c(BASE + "train:\n  precision: fp16  #<\n", "train.precision", "must be one of fp32, bf16 (got 'fp16'); did you mean 'fp32'?"),
        c(NAME_ONLY + "model:\n  path: m\n  dtype: float16\ndata:\n  train: d.jsonl\ntrain:\n  precision: bf16  #<\n",
            "train.precision", "is bf16, which holds the base in bfloat16, but model.dtype is float16; set model.dtype "
                + "to auto or bfloat16, or train.precision to fp32"),
        c(BASE + "train:\n  epochs: 0  #<\n", "train.epochs", "must be >= 1 (got 0)"),
        c(BASE + "train:\n  micro_batch_size: 0  #<\n", "train.micro_batch_size", "must be >= 1 (got 0)"),
        c(BASE + "train:\n  grad_accum: 0  #<\n", "train.grad_accum", "must be >= 1 (got 0)"),
        c(BASE + "train:\n  lr: -1  #<\n", "train.lr", "must be > 0 (got -1)"),
        c(BASE + "train:\n  lr: 0.0  #<\n", "train.lr", "must be > 0 (got 0)"),
        c(BASE + "train:\n  schedule: cosin  #<\n", "train.schedule",
            "must be one of constant, constant_with_warmup, linear, cosine (got 'cosin'); did you mean 'cosine'?"),
        c(BASE + "train:\n  warmup_steps: -1  #<\n", "train.warmup_steps", "must be >= 0 (got -1)"),
        c(BASE + "train:\n  min_lr_ratio: 1.5  #<\n", "train.min_lr_ratio", "must be in [0, 1] (got 1.5)"),
        c(BASE + "train:\n  weight_decay: -0.01  #<\n", "train.weight_decay", "must be >= 0 (got -0.01)"),
        c(BASE + "train:\n  max_grad_norm: -1  #<\n", "train.max_grad_norm", "must be >= 0 (got -1)"),
        c(BASE + "train:\n  eval_every: -5  #<\n", "train.eval_every", "must be >= 0 (got -5)"),
        c(BASE + "train:\n  eval_max_sequences: -1  #<\n", "train.eval_max_sequences", "must be >= 0 (got -1)"),
        c(BASE + "train:\n  eval_batches: 8  #<\n", "train.eval_batches", "was replaced by train.eval_max_sequences, "
            + "a cap in sequences that does not depend on the batch size or worker count (0, the default, scores the "
            + "whole eval set)"),
        c(BASE + "train:\n  log_every: 0  #<\n", "train.log_every", "must be >= 1 (got 0)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"topLevelAndModel", "lora", "data", "quality", "train"})
  void reportsTheMistakeAtItsLine(String title, String yaml, String key, String message) {
    TestFiles.assertSingleError(dir, yaml, key, message);
  }
}
