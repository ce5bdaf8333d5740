package org.lorafleet.ps.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;

/**
 * Constant-time check of a job's shared secret: both sides are hashed with SHA-256 and the digests
 * compared with {@link MessageDigest#isEqual}, so the time taken depends on neither the secret's
 * content nor its length. Thread-safe, never blocks.
 */
final class SecretCheck {

  private final String jobId;
  private final byte[] digest;

  SecretCheck(String jobId, String secret) {
    this.jobId = jobId;
    this.digest = sha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** Throws UNAUTHENTICATED for a missing or wrong secret, NOT_FOUND (WRONG_JOB) for another job's id. */
  void check(String callerJobId, String secret) {
    boolean ok = MessageDigest.isEqual(sha256(secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8)),
        digest);
    if (!ok) {
      throw new PsException(Refusal.UNAUTHENTICATED, secret == null || secret.isEmpty()
          ? "The call carries no job secret; send the job's secret as call metadata."
          : "The job secret is wrong.");
    }
    if (!jobId.equals(callerJobId)) {
      throw new PsException(Refusal.WRONG_JOB, "This parameter server runs job '" + jobId + "', not '"
          + callerJobId + "'.");
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM.", e);
    }
  }
}
