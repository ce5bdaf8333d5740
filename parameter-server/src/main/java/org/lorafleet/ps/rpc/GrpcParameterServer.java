package org.lorafleet.ps.rpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.tensorchannel.TensorChannelServer;

/**
 * A running gRPC endpoint for one {@link ParameterServerCore}. Closing it stops the transport
 * only; the core (and its state) stays usable, e.g. to take a last snapshot.
 */
public final class GrpcParameterServer implements AutoCloseable {

  private final ParameterServerCore core;
  private final ServerOptions options;
  private final Server server;
  private final TensorChannelServer tensorChannel;

  private GrpcParameterServer(ParameterServerCore core, ServerOptions options, Server server,
      TensorChannelServer tensorChannel) {
    this.core = core;
    this.options = options;
    this.server = server;
    this.tensorChannel = tensorChannel;
  }

  /**
   * Binds and starts the server; returns once it accepts connections. Throws {@link
   * UncheckedIOException} if the address cannot be bound or the TLS files cannot be read.
   */
  public static GrpcParameterServer start(ParameterServerCore core, ServerOptions options) {
    // The tensor channel has no TLS; a TLS server keeps all traffic on gRPC.
    TensorChannelServer channel = options.tls() || options.tensorChannelPort() < 0 ? null
        : TensorChannelServer.start(core, options.bindAddress(), options.tensorChannelPort());
    try {
      return start(core, options, channel);
    } catch (RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      throw e;
    }
  }

  private static GrpcParameterServer start(ParameterServerCore core, ServerOptions options,
      TensorChannelServer channel) {
    ServerCredentials creds;
    try {
      creds = options.tls()
          ? TlsServerCredentials.create(options.tlsCertChain().toFile(), options.tlsPrivateKey().toFile())
          : InsecureServerCredentials.create();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the TLS certificate chain " + options.tlsCertChain()
          + " or private key " + options.tlsPrivateKey() + ".", e);
    }
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress(options.bindAddress(), options.port()), creds)
        .maxInboundMessageSize(options.maxInboundMessageBytes())
        .initialFlowControlWindow(options.flowControlWindowBytes())
        .addStreamTracerFactory(new TransportRefusals(core.recorder()))
        .addService(ServerInterceptors.intercept(ChunkMethods.bind(new ParameterServerService(core, options,
            channel == null ? 0 : channel.port())),
            new AuthInterceptor(core, options.adminCalls())))
        .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the parameter server on " + options.bindAddress() + ":"
          + options.port() + ".", e);
    }
    return new GrpcParameterServer(core, options, s, channel);
  }

  /** The bound port (the ephemeral one when the options asked for port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** The tensor channel's port, or 0 when this server offers none (TLS, or turned off). */
  public int tensorChannelPort() {
    return tensorChannel == null ? 0 : tensorChannel.port();
  }

  public String bindAddress() {
    return options.bindAddress();
  }

  public ServerOptions options() {
    return options;
  }

  public ParameterServerCore core() {
    return core;
  }

  /**
   * Stops accepting calls, lets running gRPC calls finish for up to 5 s, then cuts them; tensor-channel
   * connections are cut at once. Blocks until stopped.
   */
  @Override
  public void close() {
    if (tensorChannel != null) {
      tensorChannel.close();
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Drops every connection at once, as a crash would (for fault tests). Blocks until stopped. */
  public void kill() {
    if (tensorChannel != null) {
      tensorChannel.close();
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
