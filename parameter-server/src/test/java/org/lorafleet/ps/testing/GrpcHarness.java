package org.lorafleet.ps.testing;

import java.util.ArrayList;
import java.util.List;
import org.lorafleet.ps.client.ClientOptions;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.GrpcParameterServer;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.server.ServerJobSpec;

/** A core behind a real gRPC server on 127.0.0.1 (ephemeral port), and the clients opened on it. */
public final class GrpcHarness implements AutoCloseable {

  public final ParameterServerCore core;
  public final GrpcParameterServer server;
  private final List<GrpcClient> clients = new ArrayList<>();

  public GrpcHarness(ServerJobSpec config) {
    this(config, ServerOptions.loopback());
  }

  public GrpcHarness(ServerJobSpec config, ServerOptions options) {
    core = new ParameterServerCore(config);
    try {
      server = GrpcParameterServer.start(core, options);
    } catch (RuntimeException e) {
      core.close();
      throw e;
    }
  }

  /** A worker's options: the job's worker token. */
  public ClientOptions clientOptions() {
    return ClientOptions.of("127.0.0.1", server.port(), Fixtures.JOB, Fixtures.WORKER_TOKEN);
  }

  /** Options with the job's admin token (snapshot and restore, where the server serves admin calls). */
  public ClientOptions adminOptions() {
    return ClientOptions.of("127.0.0.1", server.port(), Fixtures.JOB, Fixtures.ADMIN_TOKEN);
  }

  public GrpcClient client() {
    return client(clientOptions());
  }

  public synchronized GrpcClient client(ClientOptions o) {
    GrpcClient c = new GrpcClient(o);
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    for (GrpcClient c : clients) {
      c.close();
    }
    server.kill();
    core.close();
  }
}
