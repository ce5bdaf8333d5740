package org.lorafleet.ps.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Builds a {@link GrpcClient}'s channel from its options: plaintext, or TLS trusting the given PEM
 * certificates; Netty, with the options' message limit and flow-control window, and without gRPC's
 * retries. Stateless; does not block (the channel connects lazily, on its first call).
 */
final class GrpcChannels {

  private GrpcChannels() {}

  /** A new channel; the caller owns it and shuts it down. */
  static ManagedChannel open(ClientOptions options) {
    ChannelCredentials creds;
    try {
      creds = options.trustPem() == null ? InsecureChannelCredentials.create()
          : TlsChannelCredentials.newBuilder().trustManager(new ByteArrayInputStream(
              options.trustPem().getBytes(StandardCharsets.US_ASCII))).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new UncheckedIOException("Cannot read the certificates to trust for TLS (" + e.getMessage() + ").",
          e instanceof IOException io ? io : new IOException(e));
    }
    return NettyChannelBuilder.forAddress(options.host(), options.port(), creds)
        .maxInboundMessageSize(options.maxInboundMessageBytes())
        .initialFlowControlWindow(options.flowControlWindowBytes())
        .disableRetry() // no message replay buffers: pushes encode chunks into one reused array
        .build();
  }
}
