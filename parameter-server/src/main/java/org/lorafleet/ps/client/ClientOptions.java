package org.lorafleet.ps.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.rpc.TensorCodec;

/**
 * Where and how a {@link GrpcClient} connects.
 *
 * @param token the job token the client presents: the worker token, or the admin token for snapshot
 *     and restore ({@link org.lorafleet.ps.auth.JobTokens}); never the job secret itself
 * @param trustPem PEM certificate(s) to trust for TLS (the server's certificate or its CA), or null
 *     for plaintext
 * @param chunkBytes payload bytes per pushed tensor chunk; must stay below the server's message limit
 * @param maxInboundMessageBytes largest message accepted from the server
 * @param callTimeout deadline of every call except {@code awaitVersion} (which uses its own timeout)
 * @param flowControlWindowBytes initial HTTP/2 flow-control window (auto-tuned upwards)
 * @param tensorChannel push and pull over the server's tensor channel when it offers one (falls back
 *     to gRPC streams when it offers none or cannot be reached)
 */
public record ClientOptions(String host, int port, String jobId, String token, String trustPem, int chunkBytes,
    int maxInboundMessageBytes, Duration callTimeout, int flowControlWindowBytes, boolean tensorChannel) {

  public ClientOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("The parameter server host must not be empty.");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("The parameter server port must be in 1..65535, got " + port + ".");
    }
    if (jobId == null || token == null) {
      throw new IllegalArgumentException("A client needs the job id and a job token.");
    }
    if (trustPem != null && !trustPem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("The certificates to trust for TLS are not PEM (no BEGIN CERTIFICATE line).");
    }
    if (chunkBytes < 4) {
      throw new IllegalArgumentException("Chunks must hold at least one float, got " + chunkBytes + " bytes.");
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("The call timeout must be positive, got " + callTimeout + ".");
    }
  }

  /** Plaintext, 256 KiB chunks, 8 MiB inbound limit, 5 min call timeout, 4 MiB window, tensor channel if offered. */
  public static ClientOptions of(String host, int port, String jobId, String token) {
    return new ClientOptions(host, port, jobId, token, null, TensorCodec.DEFAULT_CHUNK_BYTES,
        ServerOptions.DEFAULT_MAX_INBOUND_MESSAGE_BYTES, Duration.ofMinutes(5), 4 << 20, true);
  }

  /** TLS, trusting the PEM certificate(s) in {@code pem}. */
  public ClientOptions withTrust(String pem) {
    return new ClientOptions(host, port, jobId, token, pem, chunkBytes, maxInboundMessageBytes, callTimeout,
        flowControlWindowBytes, tensorChannel);
  }

  public ClientOptions withChunkBytes(int n) {
    return new ClientOptions(host, port, jobId, token, trustPem, n, maxInboundMessageBytes, callTimeout,
        flowControlWindowBytes, tensorChannel);
  }

  /** TLS, trusting the PEM certificate(s) in file {@code pem}. */
  public ClientOptions withTrust(Path pem) {
    try {
      return withTrust(Files.readString(pem));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the certificate to trust, " + pem + ".", e);
    }
  }

  public ClientOptions withToken(String t) {
    return new ClientOptions(host, port, jobId, t, trustPem, chunkBytes, maxInboundMessageBytes, callTimeout,
        flowControlWindowBytes, tensorChannel);
  }

  public ClientOptions withJobId(String j) {
    return new ClientOptions(host, port, j, token, trustPem, chunkBytes, maxInboundMessageBytes, callTimeout,
        flowControlWindowBytes, tensorChannel);
  }

  public ClientOptions withCallTimeout(Duration d) {
    return new ClientOptions(host, port, jobId, token, trustPem, chunkBytes, maxInboundMessageBytes, d,
        flowControlWindowBytes, tensorChannel);
  }

  public ClientOptions withFlowControlWindowBytes(int n) {
    return new ClientOptions(host, port, jobId, token, trustPem, chunkBytes, maxInboundMessageBytes,
        callTimeout, n, tensorChannel);
  }

  /** @param use false keeps pushes and pulls on gRPC streams even when the server offers the channel */
  public ClientOptions withTensorChannel(boolean use) {
    return new ClientOptions(host, port, jobId, token, trustPem, chunkBytes, maxInboundMessageBytes,
        callTimeout, flowControlWindowBytes, use);
  }

  @Override
  public String toString() {
    return "ClientOptions[" + host + ":" + port + ", job=" + jobId + ", tls=" + (trustPem != null)
        + ", chunkBytes=" + chunkBytes + ", tensorChannel=" + tensorChannel + ", token=<hidden>]";
  }
}
