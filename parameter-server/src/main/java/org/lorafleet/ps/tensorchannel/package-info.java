/**
 * The tensor channel: a plain TCP side channel that carries the bulk of the parameter server's
 * traffic, pushes and pulls as raw little-endian float32 bytes, and the version waits between them,
 * next to the gRPC service that keeps every other call (register, heartbeat, outcomes, snapshots,
 * restores, metrics) and is the fallback path.
 *
 * <p>Why: grpc-java moves a 16 MB stream as ~1 000 HTTP/2 frames through Netty and protobuf and
 * reached 20–37% of a plain socket copy on loopback (docs/benchmarks.md); this channel writes the
 * float arrays through one direct buffer per connection, one copy on each side.
 *
 * <p>Security: a connection is admitted only after a challenge–response handshake: the server sends
 * a fresh nonce and the client answers with an HMAC of it under its job token ({@link
 * org.lorafleet.ps.auth.JobTokens#proof}), so the token never crosses the wire and a recorded
 * handshake cannot be replayed. Until then a connection holds only a small heap buffer, has 2 s to
 * finish, and at most 64 such connections exist at once; admitted ones reuse pooled direct buffers.
 * Every push goes through the same validation and admission as a gRPC push
 * (names and shapes are checked from the header before any payload is read, values by the core).
 * The channel has no TLS: a server started with TLS does not offer it, and clients then stay on
 * gRPC. Wire format: {@link org.lorafleet.ps.tensorchannel.Wire}.
 */
package org.lorafleet.ps.tensorchannel;
