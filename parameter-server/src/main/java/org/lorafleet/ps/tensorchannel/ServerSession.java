package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.auth.JobTokens;
import org.lorafleet.ps.server.ParameterServerCore;

/**
 * One tensor-channel connection on the server: the handshake, then push and pull requests until
 * the peer closes. Every push is checked before it reaches the core: names, shapes and admission
 * from the header (a refused push's payload is read and dropped, so the connection stays usable
 * and the client gets the precise refusal), then values and completeness by the core itself.
 * Runs in its connection's thread; every read blocks.
 */
final class ServerSession {

  private static final System.Logger LOG = System.getLogger(ServerSession.class.getName());
  /** A caller has this long from connecting to being admitted; then the connection is cut. */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
  /** Heap buffer of the handshake: a caller gets no 1 MiB direct buffers before it is admitted. */
  private static final int HANDSHAKE_BUFFER_BYTES = 4096;

  private final ParameterServerCore core;
  private final SocketChannel ch;
  private final Map<String, TensorSpec> specs;
  private final long adapterBytes;
  private final EncodedVersions encoded;
  private final BufferPool buffers;
  private final Runnable onAdmitted;
  private Wire.In in;
  private Wire.Out out;

  /** @param onAdmitted run once, right after the caller passed the handshake */
  ServerSession(ParameterServerCore core, SocketChannel ch, EncodedVersions encoded, BufferPool buffers,
      Runnable onAdmitted) {
    this.core = core;
    this.encoded = encoded;
    this.ch = ch;
    this.buffers = buffers;
    this.onAdmitted = onAdmitted;
    this.specs = core.specMap();
    long n = 0;
    for (TensorSpec s : specs.values()) {
      n += (long) s.numel() * Float.BYTES;
    }
    this.adapterBytes = n;
  }

  /** Serves the connection until it closes; throws when the peer breaks off or breaks the framing. */
  void run() throws IOException {
    in = new Wire.In(ch, ByteBuffer.allocate(HANDSHAKE_BUFFER_BYTES));
    out = new Wire.Out(ch, ByteBuffer.allocate(HANDSHAKE_BUFFER_BYTES));
    if (!handshake()) {
      return;
    }
    onAdmitted.run();
    ByteBuffer inBuf = buffers.take();
    ByteBuffer outBuf = buffers.take();
    try {
      in = new Wire.In(ch, inBuf);
      out = new Wire.Out(ch, outBuf);
      serve();
    } finally {
      buffers.give(inBuf);
      buffers.give(outBuf);
    }
  }

  private void serve() throws IOException {
    while (true) {
      byte op;
      try {
        op = in.readByte();
      } catch (java.io.EOFException e) {
        return; // the client closed between calls
      }
      switch (op) {
        case Wire.OP_PUSH -> {
          if (!push()) {
            return;
          }
        }
        case Wire.OP_PULL -> pull();
        case Wire.OP_AWAIT -> awaitVersion();
        case Wire.OP_PULL_AT_LEAST -> pullAtLeast();
        default -> throw new Wire.ProtocolException("Unknown request type " + op + ".");
      }
    }
  }

  /**
   * Hello, challenge, proof, all within {@link #HANDSHAKE_TIMEOUT} (the deadline cuts the connection);
   * true if the caller is admitted. The caller proves it holds a job token by an HMAC of a fresh
   * nonce ({@link JobTokens#proof}), so nothing on the wire can be replayed or reveals the token.
   */
  private boolean handshake() throws IOException {
    try (Deadline d = Deadline.arm(ch, HANDSHAKE_TIMEOUT)) {
      int magic = in.readInt();
      if (magic != Wire.MAGIC) {
        throw new Wire.ProtocolException("Not a tensor-channel client (magic " + Integer.toHexString(magic) + ").");
      }
      int version = in.readInt();
      String jobId = in.readString();
      if (version != Wire.VERSION) {
        reply(new PsException(PsStatus.FAILED_PRECONDITION, Refusal.MALFORMED, "The client speaks tensor-channel "
            + "version " + version + "; this server speaks " + Wire.VERSION + ".", null));
        return false;
      }
      byte[] nonce = JobTokens.nonce();
      Messages.writeOk(out);
      out.writeBytes(ByteBuffer.wrap(nonce));
      out.flush();
      byte[] proof = new byte[JobTokens.NONCE_BYTES];
      in.readBytes(proof);
      try {
        core.authenticateProof(jobId, nonce, proof); // constant time; counts the refusal
      } catch (PsException e) {
        reply(e);
        return false;
      }
      if (in.buffered() > 0) {
        throw new Wire.ProtocolException("The client sent requests before it was admitted.");
      }
      Messages.writeOk(out);
      out.flush();
      return true;
    }
  }

  /** One push; false if the connection must close (a header whose payload size cannot be trusted). */
  private boolean push() throws IOException {
    byte kindByte = in.readByte();
    long step = in.readLong();
    double lossSum = in.readDouble();
    long tokens = in.readLong();
    String worker = in.readString();
    List<Messages.Declared> declared = Messages.readSpecs(in, 2 * specs.size() + 16);
    long payload = 0;
    for (Messages.Declared d : declared) {
      long n = d.numelOrMinusOne();
      payload = n < 0 || payload < 0 ? -1 : payload + n * Float.BYTES;
    }
    UpdateKind kind = kindByte == 0 ? UpdateKind.GRADIENT_SUMS : kindByte == 1 ? UpdateKind.WEIGHT_DELTAS : null;
    PsException refusal = checkHeader(kind, kindByte, worker, declared);
    if (refusal == null) {
      try {
        core.precheckPush(kind, worker, step); // counts its own refusals
      } catch (PsException e) {
        refusal = e;
      }
    } else {
      core.recorder().refused(refusal.reason());
    }
    if (refusal != null) {
      boolean drainable = payload >= 0 && payload <= 2 * adapterBytes + (1 << 20);
      if (drainable) {
        in.skip(payload);
      }
      reply(refusal);
      return drainable;
    }
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    long before = in.bytes();
    boolean finite = true; // checked piece by piece as it arrives, so the core need not scan again
    try {
      for (Messages.Declared d : declared) {
        float[] a = core.arrays().take((int) d.numelOrMinusOne()); // recycled from applied pushes
        finite &= in.readFloats(a, finite);
        tensors.put(d.name(), new FloatTensor(d.shape(), a));
      }
    } catch (IOException e) {
      core.recorder().pushCancelled(); // the client went away mid-push: nothing is kept
      throw e;
    } finally {
      core.recorder().bytesReceived(in.bytes() - before);
    }
    PushAck ack;
    try {
      ack = core.push(kind, worker, step, tensors, lossSum, tokens, finite);
    } catch (PsException e) {
      reply(e);
      return true;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "A push of worker '" + worker + "' failed inside the server.", e);
      reply(new PsException(PsStatus.INTERNAL, Refusal.TRANSPORT, "The server failed on the push of worker '"
          + worker + "': " + e, e));
      return true;
    }
    Messages.writeOk(out);
    out.writeLong(ack.step()).writeByte(ack.duplicate() ? 1 : 0).writeByte(ack.applied() ? 1 : 0)
        .writeLong(ack.version()).writeInt(ack.pendingWorkers());
    out.flush();
    return true;
  }

  /** Refusal for a bad kind, unknown or repeated names, or wrong shapes; null if the header is sound. */
  private PsException checkHeader(UpdateKind kind, byte kindByte, String worker, List<Messages.Declared> declared) {
    String what = "The push of worker '" + worker + "'";
    if (kind == null) {
      return new PsException(Refusal.MALFORMED, what + " has update kind " + kindByte + " (0 or 1 expected).");
    }
    Set<String> seen = new HashSet<>();
    for (Messages.Declared d : declared) {
      TensorSpec spec = specs.get(d.name());
      if (spec == null) {
        return new PsException(Refusal.UNKNOWN_TENSOR, what + " names tensor '" + d.name()
            + "', which is not part of the job.");
      }
      if (!d.matches(spec)) {
        return new PsException(Refusal.WRONG_SHAPE, what + " sends tensor '" + d.name() + "' with shape "
            + java.util.Arrays.toString(d.shape()) + "; the job has it as " + spec.shapeString() + ".");
      }
      if (!seen.add(d.name())) {
        return new PsException(Refusal.MALFORMED, what + " sends tensor '" + d.name() + "' twice.");
      }
    }
    return null;
  }

  /** Writes the current version from its shared encoding (made by the first pull of that version). */
  private void pull() throws IOException {
    long payload;
    try {
      payload = core.readPublished(p -> { // the arrays stay unchanged while they are encoded
        try {
          return encoded.send(p, out);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    core.recorder().bytesSent(payload);
  }

  /** Blocks this connection's thread until the version is reached or the wait fails (its timeout bounds it). */
  private void awaitVersion() throws IOException {
    VersionStatus st = readAndAwait();
    if (st == null) {
      return;
    }
    out.writeBytes(Messages.versionReply(st.version(), st.lastOutcome(), null));
    out.flush();
  }

  /** As {@link #awaitVersion}, then the version in full as {@link #pull}. */
  private void pullAtLeast() throws IOException {
    if (readAndAwait() != null) {
      pull();
    }
  }

  /** Reads worker, version and timeout, then waits; null after replying with the wait's failure. */
  private VersionStatus readAndAwait() throws IOException {
    String worker = in.readString();
    long minVersion = in.readLong();
    long timeoutMillis = in.readLong();
    try {
      return core.awaitVersion(worker.isEmpty() ? null : worker, minVersion, Duration.ofMillis(Math.max(0,
          timeoutMillis)));
    } catch (PsException e) {
      reply(e);
      return null;
    }
  }

  private void reply(PsException e) throws IOException {
    Messages.writeError(out, e);
    out.flush();
  }
}
