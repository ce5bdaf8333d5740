package org.lorafleet.ps.rpc;

import io.grpc.Metadata;

/** Call metadata keys of the protocol. */
public final class RpcHeaders {

  private RpcHeaders() {}

  /** The job id, sent with every call. */
  public static final Metadata.Key<String> JOB_ID = Metadata.Key.of("lorafleet-job-id", Metadata.ASCII_STRING_MARSHALLER);
  /** The job's shared secret, sent with every call (use TLS off loopback). */
  public static final Metadata.Key<String> SECRET = Metadata.Key.of("lorafleet-secret", Metadata.ASCII_STRING_MARSHALLER);
  /** Trailer naming the {@link org.lorafleet.ps.api.Refusal} behind a failed call. */
  public static final Metadata.Key<String> REFUSAL = Metadata.Key.of("lorafleet-refusal", Metadata.ASCII_STRING_MARSHALLER);

  /** Metadata carrying a job id and secret. */
  public static Metadata credentials(String jobId, String secret) {
    Metadata md = new Metadata();
    md.put(JOB_ID, jobId);
    md.put(SECRET, secret);
    return md;
  }
}
