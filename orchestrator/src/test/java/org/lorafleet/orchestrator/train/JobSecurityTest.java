package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.ps.auth.SelfSignedCertificate;

/**
 * Training with the parameter server behind TLS, end to end through the barrier workers: with a
 * certificate made per job ({@code tls_cert: auto}), with the operator's own files, and refused with
 * the reason when the certificate does not name the host the workers dial.
 */
class JobSecurityTest {

  private static SparkSession spark;
  @TempDir
  static Path tmp;
  private static Path data;

  @BeforeAll
  static void start() throws IOException {
    spark = JobFixtures.spark("local[2]");
    data = JobFixtures.trainData(Files.createDirectories(tmp.resolve("data")), 240);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void trainsOverTlsWithACertificateMadeForTheJob() {
    Path out = tmp.resolve("auto");
    var run = JobFixtures.run(JobFixtures.config("tls-auto", data, out.toString(), "parameter_server.tls_cert=auto"),
        spark, null, null).ok();
    assertEquals(6, run.result().steps(), run.console());
    assertTrue(Files.isRegularFile(out.resolve("adapter/adapter_model.safetensors")));
  }

  @Test
  void trainsOverTlsWithTheOperatorsCertificateAndGivesTheSameAdapterAsPlaintext() throws IOException {
    SelfSignedCertificate c = SelfSignedCertificate.create(List.of("127.0.0.1"), Duration.ofHours(1));
    Path cert = Files.writeString(tmp.resolve("ps.crt"), c.certificatePem());
    Path key = Files.writeString(tmp.resolve("ps.key"), c.privateKeyPem());
    Path tls = tmp.resolve("files");
    var run = JobFixtures.run(JobFixtures.config("tls-files", data, tls.toString(), "parameter_server.tls_cert=" + cert,
        "parameter_server.tls_key=" + key), spark, null, null).ok();
    Path plain = tmp.resolve("plain");
    var reference = JobFixtures.run(JobFixtures.config("tls-files", data, plain.toString()), spark, null, null).ok();
    assertEquals(reference.result().steps(), run.result().steps());
    // sync math is exact whatever the transport: TLS (gRPC streams) and plaintext (tensor channel) agree bit for bit
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(plain.resolve("adapter/adapter_model.safetensors")),
        Files.readAllBytes(tls.resolve("adapter/adapter_model.safetensors"))), run.console());
  }

  @Test
  void noOutputFileHoldsACredential() throws IOException {
    Path out = tmp.resolve("secrets");
    String secret = "job-secret-never-written-0123";
    String s3 = "s3a-secret-never-written";
    var run = JobFixtures.run(JobFixtures.config("secrets", data, out.toString(), "parameter_server.secret=" + secret,
        "spark.conf.spark.hadoop.fs.s3a.secret.key=" + s3, "checkpoint.every_steps=2"), spark, null, null).ok();
    String token = org.lorafleet.ps.auth.JobTokens.workerToken("secrets", secret);
    List<Path> files;
    try (var walk = Files.walk(out)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.size() > 5 && files.stream().anyMatch(f -> f.getFileName().toString().equals("state.json")),
        files.toString());
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
      for (String credential : List.of(secret, s3, token)) {
        assertTrue(!text.contains(credential), f + " holds a credential");
      }
    }
    assertTrue(!run.console().contains(secret) && !run.console().contains(token), "nor does the console");
  }

  @Test
  void aCertificateThatDoesNotNameTheDialledHostFailsWithTheReason() throws IOException {
    SelfSignedCertificate c = SelfSignedCertificate.create(List.of("10.9.9.9"), Duration.ofHours(1));
    Path cert = Files.writeString(tmp.resolve("other.crt"), c.certificatePem());
    Path key = Files.writeString(tmp.resolve("other.key"), c.privateKeyPem());
    var run = JobFixtures.run(JobFixtures.config("tls-wrong-name", data, tmp.resolve("wrong").toString(),
        "parameter_server.tls_cert=" + cert, "parameter_server.tls_key=" + key, "distributed.step_timeout=20s"),
        spark, null, null);
    assertNotNull(run.failure(), run.console());
    String chain = Causes.chain(run.failure()).toLowerCase(Locale.ROOT);
    assertTrue(chain.contains("127.0.0.1") && chain.contains("subject alternative"), Causes.chain(run.failure()));
  }
}
