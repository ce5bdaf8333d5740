package org.lorafleet.ps.rpc;

import io.grpc.Metadata;

/** Call metadata keys of the protocol. */
public final class RpcHeaders {

  private RpcHeaders() {}

  /** The job id, sent with every call. */
  public static final Metadata.Key<String> JOB_ID = Metadata.Key.of("lorafleet-job-id", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * The caller's job token (worker or admin, {@link org.lorafleet.ps.auth.JobTokens}; never the job
   * secret itself), sent with every call: TLS keeps it off the wire in clear.
   */
  public static final Metadata.Key<String> TOKEN = Metadata.Key.of("lorafleet-token", Metadata.ASCII_STRING_MARSHALLER);
  /** Trailer naming the {@link org.lorafleet.ps.api.Refusal} behind a failed call. */
  public static final Metadata.Key<String> REFUSAL = Metadata.Key.of("lorafleet-refusal", Metadata.ASCII_STRING_MARSHALLER);

  /** Metadata carrying a job id and token. */
  public static Metadata credentials(String jobId, String token) {
    Metadata md = new Metadata();
    md.put(JOB_ID, jobId);
    md.put(TOKEN, token);
    return md;
  }
}
