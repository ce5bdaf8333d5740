package org.lorafleet.orchestrator.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkConf;
import org.lorafleet.orchestrator.config.ParameterServerConfig;
import org.lorafleet.ps.auth.SelfSignedCertificate;
import org.lorafleet.ps.rpc.GrpcParameterServer;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.server.ServerJobSpec;

/**
 * The parameter server hosted in the driver JVM: the core plus its gRPC endpoint, and the address
 * executors use to reach it ({@code advertise}'s host and port, else the bind host, else Spark's
 * driver host when bound to a wildcard address, with the bound port), and the certificate workers
 * trust when it speaks TLS.
 */
final class ParameterServerHost implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ParameterServerHost.class.getName());
  /** Longer than any run; a new certificate is made for every run (a resumed one too). */
  private static final Duration CERT_VALIDITY = Duration.ofDays(365);

  private final ParameterServerCore core;
  private final GrpcParameterServer server;
  private final String advertisedHost;
  private final int advertisedPort;
  private final String trustPem;
  private final Path generatedIdentity;

  private ParameterServerHost(ParameterServerCore core, GrpcParameterServer server, String advertisedHost,
      int advertisedPort, String trustPem, Path generatedIdentity) {
    this.generatedIdentity = generatedIdentity;
    this.core = core;
    this.server = server;
    this.advertisedHost = advertisedHost;
    this.advertisedPort = advertisedPort;
    this.trustPem = trustPem;
  }

  /** Starts listening; blocks until the port is bound (and, with {@code tls_cert: auto}, a key is made). */
  static ParameterServerHost start(ServerJobSpec job, ParameterServerConfig cfg, SparkConf spark) {
    String host = cfg.advertiseHost(); // advertise: host or host:port (e.g. a forwarded port)
    if (host == null) {
      boolean wildcard = cfg.bindHost().equals("0.0.0.0") || cfg.bindHost().equals("::");
      host = wildcard ? spark.get("spark.driver.host", "localhost") : cfg.bindHost();
    }
    ServerOptions options = ServerOptions.loopback().withBind(cfg.bindHost(), cfg.bindPort())
        .withMaxInboundMessageBytes(cfg.maxMessageMb() << 20).withTensorChannelPort(cfg.tensorChannelPort());
    String trustPem = null;
    Path generated = null;
    if (cfg.autoTls()) {
      List<String> names = subjectNames(host, cfg.bindHost());
      SelfSignedCertificate cert = SelfSignedCertificate.create(names, CERT_VALIDITY);
      generated = writeIdentity(cert);
      options = options.withTls(generated.resolve("server.crt"), generated.resolve("server.key"));
      trustPem = cert.certificatePem();
      LOG.log(System.Logger.Level.INFO, "The parameter server speaks TLS with a certificate made for this job ("
          + String.join(", ", names) + ").");
    } else if (cfg.tlsCert() != null) {
      options = options.withTls(Path.of(cfg.tlsCert()), Path.of(cfg.tlsKey()));
      trustPem = readCertificate(cfg.tlsCert());
    } else if (!cfg.isLoopback()) {
      LOG.log(System.Logger.Level.WARNING, "The parameter server listens on " + cfg.bind() + " without TLS "
          + "(parameter_server.insecure: true): worker tokens and adapter tensors cross the network in clear.");
    }
    ParameterServerCore core = new ParameterServerCore(job);
    GrpcParameterServer server;
    try {
      server = GrpcParameterServer.start(core, options);
    } catch (RuntimeException e) {
      core.close();
      deleteIdentity(generated);
      throw e;
    }
    return new ParameterServerHost(core, server, host, cfg.advertisePort(), trustPem, generated);
  }

  /** The names a generated certificate covers: the address executors use, the bind host if specific, loopback. */
  private static List<String> subjectNames(String advertised, String bindHost) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(List.of(advertised));
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      names.add(bindHost);
    }
    names.add("localhost");
    names.add("127.0.0.1");
    return List.copyOf(names);
  }

  /** Writes the generated key and certificate into a new owner-only temporary directory. */
  private static Path writeIdentity(SelfSignedCertificate cert) {
    try {
      Path dir = Files.createTempDirectory("lorafleet-ps-tls-"); // rwx------ on POSIX
      Files.writeString(dir.resolve("server.crt"), cert.certificatePem());
      Files.writeString(dir.resolve("server.key"), cert.privateKeyPem());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the parameter server's generated TLS key to a temporary "
          + "directory.", e);
    }
  }

  private static void deleteIdentity(Path dir) {
    if (dir == null) {
      return;
    }
    for (String f : new String[] {"server.key", "server.crt", ""}) {
      try {
        Files.deleteIfExists(f.isEmpty() ? dir : dir.resolve(f));
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "Cannot delete " + dir.resolve(f) + ": " + e.getMessage());
      }
    }
  }

  /** The server's certificate chain as PEM, for workers to trust; null for plaintext. */
  String trustPem() {
    return trustPem;
  }

  private static String readCertificate(String file) {
    try {
      return Files.readString(Path.of(file), java.nio.charset.StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read parameter_server.tls_cert " + file + ".", e);
    }
  }

  ParameterServerCore core() {
    return core;
  }

  String host() {
    return advertisedHost;
  }

  /** The port executors connect to: advertise's, else the bound one. */
  int port() {
    return advertisedPort > 0 ? advertisedPort : server.port();
  }

  @Override
  public void close() {
    server.close();
    core.close();
    deleteIdentity(generatedIdentity);
  }
}
