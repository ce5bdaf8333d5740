package org.lorafleet.ps.rpc;

import java.nio.file.Path;

/**
 * How the gRPC server listens.
 *
 * @param bindAddress host or IP to bind; default 127.0.0.1 (loopback, for embedded use); use
 *     0.0.0.0 to accept workers from other machines, and then TLS
 * @param port TCP port, 0 for an ephemeral one (see {@link GrpcParameterServer#port()})
 * @param tlsCertChain PEM certificate chain, or null for plaintext
 * @param tlsPrivateKey PEM PKCS#8 private key, or null for plaintext
 * @param maxInboundMessageBytes largest message the server accepts (RESOURCE_EXHAUSTED beyond)
 * @param chunkBytes payload bytes per tensor chunk the server sends
 * @param flowControlWindowBytes initial HTTP/2 flow-control window per stream (auto-tuned upwards)
 * @param tensorChannelPort port of the tensor channel ({@link org.lorafleet.ps.tensorchannel}), the
 *     plain TCP side channel for pushes and pulls on the same bind address: 0 for an ephemeral one,
 *     -1 for none; never offered with TLS
 * @param adminCalls whether Snapshot and Restore are served at all (to callers with the admin token);
 *     off by default: the driver that hosts the server takes snapshots and restores in process
 */
public record ServerOptions(String bindAddress, int port, Path tlsCertChain, Path tlsPrivateKey,
    int maxInboundMessageBytes, int chunkBytes, int flowControlWindowBytes, int tensorChannelPort, boolean adminCalls) {

  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 8 << 20;

  public ServerOptions {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("The bind address must not be empty (use 127.0.0.1 or 0.0.0.0).");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Port must be in 0..65535, got " + port + ".");
    }
    if ((tlsCertChain == null) != (tlsPrivateKey == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate chain and a private key, or neither.");
    }
    if (maxInboundMessageBytes < 1024) {
      throw new IllegalArgumentException("The inbound message limit must be at least 1 KiB, got "
          + maxInboundMessageBytes + ".");
    }
    if (chunkBytes < 4 || chunkBytes > maxInboundMessageBytes - 1024) {
      throw new IllegalArgumentException("Chunk size " + chunkBytes + " must be at least 4 bytes and leave 1 KiB "
          + "below the message limit " + maxInboundMessageBytes + ".");
    }
    if (tensorChannelPort < -1 || tensorChannelPort > 65535) {
      throw new IllegalArgumentException("The tensor channel port must be in 0..65535, or -1 for none; got "
          + tensorChannelPort + ".");
    }
    if (flowControlWindowBytes < 65535) {
      throw new IllegalArgumentException("The flow-control window must be at least 65535 bytes, got "
          + flowControlWindowBytes + ".");
    }
  }

  /**
   * Loopback, ephemeral port, plaintext, 8 MiB message limit, 256 KiB chunks, 4 MiB window, tensor
   * channel on an ephemeral port, no admin calls.
   */
  public static ServerOptions loopback() {
    return new ServerOptions("127.0.0.1", 0, null, null, DEFAULT_MAX_INBOUND_MESSAGE_BYTES,
        TensorCodec.DEFAULT_CHUNK_BYTES, 4 << 20, 0, false);
  }

  public ServerOptions withBind(String address, int p) {
    return new ServerOptions(address, p, tlsCertChain, tlsPrivateKey, maxInboundMessageBytes, chunkBytes,
        flowControlWindowBytes, tensorChannelPort, adminCalls);
  }

  public ServerOptions withTls(Path certChain, Path privateKey) {
    return new ServerOptions(bindAddress, port, certChain, privateKey, maxInboundMessageBytes, chunkBytes,
        flowControlWindowBytes, tensorChannelPort, adminCalls);
  }

  public ServerOptions withMaxInboundMessageBytes(int n) {
    return new ServerOptions(bindAddress, port, tlsCertChain, tlsPrivateKey, n, Math.min(chunkBytes, n - 1024),
        flowControlWindowBytes, tensorChannelPort, adminCalls);
  }

  public ServerOptions withChunkBytes(int n) {
    return new ServerOptions(bindAddress, port, tlsCertChain, tlsPrivateKey, maxInboundMessageBytes, n,
        flowControlWindowBytes, tensorChannelPort, adminCalls);
  }

  public ServerOptions withFlowControlWindowBytes(int n) {
    return new ServerOptions(bindAddress, port, tlsCertChain, tlsPrivateKey, maxInboundMessageBytes, chunkBytes, n,
        tensorChannelPort, adminCalls);
  }

  /** @param p tensor channel port: 0 ephemeral, -1 none */
  public ServerOptions withTensorChannelPort(int p) {
    return new ServerOptions(bindAddress, port, tlsCertChain, tlsPrivateKey, maxInboundMessageBytes, chunkBytes,
        flowControlWindowBytes, p, adminCalls);
  }

  /** @param allow serve Snapshot and Restore to callers with the admin token */
  public ServerOptions withAdminCalls(boolean allow) {
    return new ServerOptions(bindAddress, port, tlsCertChain, tlsPrivateKey, maxInboundMessageBytes, chunkBytes,
        flowControlWindowBytes, tensorChannelPort, allow);
  }

  public boolean tls() {
    return tlsCertChain != null;
  }
}
