package org.lorafleet.ps.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;

/**
 * Constant-time checks of a caller's token or tensor-channel proof against one job's worker and admin
 * tokens. Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the time
 * taken depends on neither the token's content nor its length; both roles are always compared.
 * Thread-safe, never blocks.
 */
public final class TokenCheck {

  private final String jobId;
  private final String workerToken;
  private final String adminToken;
  private final byte[] workerDigest;
  private final byte[] adminDigest;

  /** The checks for job {@code jobId} run with {@code secret}. */
  public TokenCheck(String jobId, String secret) {
    this.jobId = jobId;
    this.workerToken = JobTokens.workerToken(jobId, secret);
    this.adminToken = JobTokens.adminToken(jobId, secret);
    this.workerDigest = sha256(workerToken.getBytes(StandardCharsets.UTF_8));
    this.adminDigest = sha256(adminToken.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The caller's role. Throws UNAUTHENTICATED for a missing or wrong token, NOT_FOUND (WRONG_JOB)
   * for a valid token sent with another job's id.
   */
  public Role check(String callerJobId, String token) {
    byte[] d = sha256(token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8));
    boolean worker = MessageDigest.isEqual(d, workerDigest);
    boolean admin = MessageDigest.isEqual(d, adminDigest);
    if (!worker && !admin) {
      throw new PsException(Refusal.UNAUTHENTICATED, token == null || token.isEmpty()
          ? "The call carries no job token; send the job's worker token as call metadata."
          : "The job token is wrong.");
    }
    requireJob(callerJobId);
    return admin ? Role.ADMIN : Role.WORKER;
  }

  /** As {@link #check}, for a tensor-channel answer to {@code nonce} (see {@link JobTokens#proof}). */
  public Role checkProof(String callerJobId, byte[] nonce, byte[] proof) {
    // Computed under this server's job id: a proof made for another job fails here, as a wrong token would.
    boolean worker = MessageDigest.isEqual(proof, JobTokens.proof(workerToken, jobId, nonce));
    boolean admin = MessageDigest.isEqual(proof, JobTokens.proof(adminToken, jobId, nonce));
    if (!worker && !admin) {
      throw new PsException(Refusal.UNAUTHENTICATED, jobId.equals(callerJobId)
          ? "The tensor-channel handshake's proof is wrong (not made with this job's token)."
          : "The tensor-channel handshake's proof is wrong; it also names job '" + callerJobId
              + "', and this parameter server runs '" + jobId + "'.");
    }
    return admin ? Role.ADMIN : Role.WORKER;
  }

  private void requireJob(String callerJobId) {
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
