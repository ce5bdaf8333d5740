package org.lorafleet.ps.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;

/** The generated per-job certificate: parsed by the JDK, signed by its own key, and usable for gRPC TLS. */
class SelfSignedCertificateTest {

  @Test
  void theJdkReadsItAndItNamesEveryHost() throws Exception {
    SelfSignedCertificate c = SelfSignedCertificate.create(List.of("driver-7.example.org", "10.1.2.3", "::1"),
        Duration.ofDays(2));
    X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(c.certificatePem().getBytes(StandardCharsets.US_ASCII)));
    x.verify(x.getPublicKey()); // self-signed: its own key verifies its signature
    x.checkValidity(new Date());
    x.checkValidity(new Date(System.currentTimeMillis() + Duration.ofDays(1).toMillis()));
    assertThrows(java.security.cert.CertificateExpiredException.class,
        () -> x.checkValidity(new Date(System.currentTimeMillis() + Duration.ofDays(3).toMillis())));
    assertEquals(3, x.getVersion());
    assertEquals("SHA256withECDSA", x.getSigAlgName());
    assertEquals("CN=lorafleet parameter server", x.getSubjectX500Principal().getName());
    List<Object> sans = new java.util.ArrayList<>(x.getSubjectAlternativeNames());
    assertEquals(List.of(List.of(2, "driver-7.example.org"), List.of(7, "10.1.2.3"), List.of(7, "0:0:0:0:0:0:0:1")),
        sans);
    assertTrue(c.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
  }

  @Test
  void grpcTlsWorksWithItForTheNamedHostOnly(@TempDir Path dir) throws Exception {
    SelfSignedCertificate c = SelfSignedCertificate.create(List.of("127.0.0.1"), Duration.ofHours(1));
    Path cert = Files.writeString(dir.resolve("c.pem"), c.certificatePem());
    Path key = Files.writeString(dir.resolve("k.pem"), c.privateKeyPem());
    Map<String, FloatTensor> init = Fixtures.faultTestAdapter();
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build(), ServerOptions.loopback().withTls(cert, key))) {
      GrpcClient ok = h.client(h.clientOptions().withTrust(c.certificatePem()));
      ok.register("w");
      assertEquals(0, ok.pull().version());
      // The same server reached as "localhost": the certificate does not name it, so TLS refuses.
      GrpcClient byName = h.client(new org.lorafleet.ps.client.ClientOptions("localhost", h.server.port(),
          Fixtures.JOB, Fixtures.WORKER_TOKEN, c.certificatePem(), 1 << 18, 8 << 20, Duration.ofSeconds(20), 1 << 22,
          true));
      assertEquals(PsStatus.UNAVAILABLE, assertThrows(PsException.class, () -> byName.register("x")).status());
      assertEquals(1, h.core.metrics().registeredWorkers());
    }
  }
}
