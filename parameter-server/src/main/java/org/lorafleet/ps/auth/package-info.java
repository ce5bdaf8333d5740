/**
 * Who may call the parameter server, and how that is proven without the job secret ever leaving
 * the driver.
 *
 * <p>The job secret (configured, or random per job) stays in the driver. From it the driver derives
 * two tokens with HMAC-SHA256 ({@link org.lorafleet.ps.auth.JobTokens}): the <em>worker token</em>,
 * which executors receive and which admits the training calls (register, push, pull, waits,
 * heartbeats, outcomes, metrics), and the <em>admin token</em>, which also admits the calls that read
 * or replace the whole server state (snapshot, restore) and which no executor ever holds. Neither
 * token reveals the secret, and neither can be computed from the other.
 *
 * <p>On gRPC the token travels as call metadata, which TLS encrypts; a server that listens off
 * loopback without TLS must be asked for explicitly. The tensor channel never sends a token: the
 * server sends a fresh 32-byte nonce and the client answers with an HMAC of it under its token
 * ({@link org.lorafleet.ps.auth.TokenCheck#checkProof}), so a recorded handshake cannot be replayed.
 */
package org.lorafleet.ps.auth;
