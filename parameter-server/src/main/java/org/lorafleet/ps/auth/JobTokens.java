package org.lorafleet.ps.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens derived from a job's secret and the tensor-channel proof made from a token. Every value
 * is HMAC-SHA256 with a distinct, versioned label, so a token for one job, role or purpose is useless
 * for another. Stateless and thread-safe.
 */
public final class JobTokens {

  /** Bytes of a tensor-channel nonce and of its proof. */
  public static final int NONCE_BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private JobTokens() {}

  /** The token executors get: admits the training calls of job {@code jobId}, never snapshot or restore. */
  public static String workerToken(String jobId, String secret) {
    return derive(secret, "lorafleet/v1/worker-token/" + jobId);
  }

  /** The token that also admits snapshot and restore; stays with whoever holds the secret. */
  public static String adminToken(String jobId, String secret) {
    return derive(secret, "lorafleet/v1/admin-token/" + jobId);
  }

  /** A fresh random tensor-channel nonce. */
  public static byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  /**
   * The answer to a tensor-channel challenge: HMAC("lorafleet:" ‖ token, label ‖ jobId ‖ 0 ‖ nonce),
   * 32 bytes (the prefix keeps the key non-empty for an empty token, which then simply fails).
   */
  public static byte[] proof(String token, String jobId, byte[] nonce) {
    Mac mac = mac(("lorafleet:" + token).getBytes(StandardCharsets.UTF_8));
    mac.update(("lorafleet/v1/tensor-channel-proof/" + jobId).getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(nonce);
    return mac.doFinal();
  }

  private static String derive(String secret, String label) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("A token needs the job secret; it is missing.");
    }
    byte[] h = mac(secret.getBytes(StandardCharsets.UTF_8)).doFinal(label.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(h); // 43 printable characters
  }

  private static Mac mac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM.", e);
    }
  }
}
