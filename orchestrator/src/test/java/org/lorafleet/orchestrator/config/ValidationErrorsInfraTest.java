package org.lorafleet.orchestrator.config;

import static org.lorafleet.orchestrator.config.TestFiles.BASE;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation rule of sections distributed, parameter_server, checkpoint, output and spark: one
 * mistake per file, on the line marked {@code #<}, exactly one error.
 */
class ValidationErrorsInfraTest {

  @TempDir
  Path dir;

  static Arguments c(String yaml, String key, String message) {
    return Arguments.of(key + " / " + message, yaml, key, message);
  }

  static Stream<Arguments> distributed() {
    String d = BASE + "distributed:\n";
    return Stream.of(
        c(d + "  workers: 0  #<\n", "distributed.workers", "must be >= 1 (got 0)"),
        c(d + "  mode: localsgd  #<\n", "distributed.mode",
            "must be one of sync, local-sgd, async (got 'localsgd'); did you mean 'local-sgd'?"),
        c(d + "  local_steps: 0  #<\n", "distributed.local_steps", "must be >= 1 (got 0)"),
        c(d + "  staleness: -1  #<\n", "distributed.staleness", "must be >= 0 (got -1)"),
        c(d + "  aggregation: median  #<\n", "distributed.aggregation",
            "must be one of mean, product (got 'median'); did you mean 'mean'?"),
        c(d + "  step_timeout: soon  #<\n", "distributed.step_timeout",
            "expected a duration such as 30s, 2m or 500ms, got 'soon'"),
        c(d + "  step_timeout: 0s  #<\n", "distributed.step_timeout", "must be longer than 0 (got 0s)"));
  }

  static Stream<Arguments> parameterServer() {
    String p = BASE + "parameter_server:\n";
    return Stream.of(
        c(p + "  bind: localhost  #<\n", "parameter_server.bind",
            "must be host:port with a port in [0, 65535], e.g. 0.0.0.0:0 (got 'localhost')"),
        c(p + "  bind: '0.0.0.0:70000'  #<\n", "parameter_server.bind",
            "must be host:port with a port in [0, 65535], e.g. 0.0.0.0:0 (got '0.0.0.0:70000')"),
        c(p + "  advertise: 'host:x'  #<\n", "parameter_server.advertise",
            "must be host or host:port with a port in [0, 65535] (got 'host:x')"),
        c(p + "  bind: '127.0.0.1:0'\n  auth: none  #<\n", "parameter_server.auth",
            "none is not supported: workers always authenticate, with a token derived from the job secret (a random "
                + "one per job unless secret is set); remove the key or use token"),
        c(p + "  auth: basic  #<\n", "parameter_server.auth", "must be one of token, none (got 'basic')"),
        c(p + "  secret: short  #<\n", "parameter_server.secret", "must be at least 16 characters long (got 5)"),
        c(BASE + "parameter_server:  #< tls_key is missing, so its section's line is given\n  tls_cert: cert.pem\n",
            "parameter_server.tls_key",
            "must be set when parameter_server.tls_cert is set"),
        c(p + "  tls_key: key.pem\n  tls_cert: null  #<\n", "parameter_server.tls_cert",
            "must be set when parameter_server.tls_key is set"),
        c(p + "  bind: '0.0.0.0:0'  #<\n", "parameter_server.bind", "is off loopback ('0.0.0.0:0') without TLS: worker "
            + "tokens and adapter tensors would cross the network in clear. Set tls_cert: auto (a certificate made per "
            + "job), or tls_cert and tls_key, or insecure: true on a network you trust"),
        c(p + "  tls_cert: auto\n  tls_key: key.pem  #<\n", "parameter_server.tls_key",
            "must be unset with tls_cert: auto (the key is made with the certificate)"),
        c(p + "  max_message_mb: 0  #<\n", "parameter_server.max_message_mb", "must be in [1, 2047] (got 0)"),
        c(p + "  max_message_mb: 4096  #<\n", "parameter_server.max_message_mb", "must be in [1, 2047] (got 4096)"),
        c(p + "  tensor_channel_port: -2  #<\n", "parameter_server.tensor_channel_port",
            "must be in [-1, 65535] (got -2)"));
  }

  static Stream<Arguments> checkpointOutputSpark() {
    return Stream.of(
        c(BASE + "checkpoint:\n  every_steps: -1  #<\n", "checkpoint.every_steps", "must be >= 0 (got -1)"),
        c(BASE + "checkpoint:\n  keep_last: 0  #<\n", "checkpoint.keep_last", "must be >= 1 (got 0)"),
        c(BASE + "checkpoint:\n  resume: ''  #<\n", "checkpoint.resume", "must not be empty"),
        c(BASE + "checkpoint:\n  resume: null  #<\n", "checkpoint.resume",
            "must be auto, never or a checkpoint path (got null)"),
        c(BASE + "checkpoint:\n  dir: ''  #<\n", "checkpoint.dir", "must not be empty (use null to leave it unset)"),
        c(BASE + "output:\n  dir: ''  #<\n", "output.dir", "must not be empty (use null to leave it unset)"),
        c(BASE + "output:\n  merge: maybe  #<\n", "output.merge", "expected true or false, got 'maybe'"),
        c(BASE + "spark:\n  master: ''  #<\n", "spark.master", "must not be empty (use null to leave it unset)"),
        c(BASE + "spark:\n  conf: [a, b]  #<\n", "spark.conf", "expected a mapping of strings, got a list"),
        c(BASE + "spark:\n  conf:\n    spark.executor.memory: null  #<\n", "spark.conf.spark.executor.memory",
            "expected a string value, got null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"distributed", "parameterServer", "checkpointOutputSpark"})
  void reportsTheMistakeAtItsLine(String title, String yaml, String key, String message) {
    TestFiles.assertSingleError(dir, yaml, key, message);
  }
}
