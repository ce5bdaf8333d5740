package org.lorafleet.orchestrator.train;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.lorafleet.orchestrator.config.ParameterServerConfig;
import org.lorafleet.ps.rpc.GrpcParameterServer;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.server.JobConfig;
import org.lorafleet.ps.server.ParameterServerCore;

/**
 * The parameter server hosted in the driver JVM: the core plus its gRPC endpoint, and the address
 * executors use to reach it ({@code advertise}'s host and port, else the bind host, else Spark's
 * driver host when bound to a wildcard address, with the bound port).
 */
final class ParameterServerHost implements AutoCloseable {

  private final ParameterServerCore core;
  private final GrpcParameterServer server;
  private final String advertisedHost;
  private final int advertisedPort;

  private ParameterServerHost(ParameterServerCore core, GrpcParameterServer server, String advertisedHost,
      int advertisedPort) {
    this.core = core;
    this.server = server;
    this.advertisedHost = advertisedHost;
    this.advertisedPort = advertisedPort;
  }

  /** Starts listening; blocks until the port is bound. */
  static ParameterServerHost start(JobConfig job, ParameterServerConfig cfg, SparkConf spark) {
    ServerOptions options = ServerOptions.loopback().withBind(cfg.bindHost(), cfg.bindPort())
        .withMaxInboundMessageBytes(cfg.maxMessageMb() << 20).withTensorChannelPort(cfg.tensorChannelPort());
    if (cfg.tlsCert() != null) {
      options = options.withTls(Path.of(cfg.tlsCert()), Path.of(cfg.tlsKey()));
    }
    ParameterServerCore core = new ParameterServerCore(job);
    GrpcParameterServer server;
    try {
      server = GrpcParameterServer.start(core, options);
    } catch (RuntimeException e) {
      core.close();
      throw e;
    }
    String host = cfg.advertiseHost(); // advertise: host or host:port (e.g. a forwarded port)
    if (host == null) {
      boolean wildcard = cfg.bindHost().equals("0.0.0.0") || cfg.bindHost().equals("::");
      host = wildcard ? spark.get("spark.driver.host", "localhost") : cfg.bindHost();
    }
    return new ParameterServerHost(core, server, host, cfg.advertisePort());
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
  }
}
