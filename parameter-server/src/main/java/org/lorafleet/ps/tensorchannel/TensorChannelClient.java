package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.auth.JobTokens;

/**
 * Pushes, pulls and version waits over the tensor channel. Thread-safe: each call borrows an idle authenticated
 * connection or opens one (connect + handshake), and returns it when the call ended cleanly; a
 * connection that saw any error is closed. Every call blocks until the server answered, the call
 * timeout passed (DEADLINE_EXCEEDED) or the thread was interrupted (CANCELLED / INTERRUPTED).
 */
public final class TensorChannelClient implements AutoCloseable {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final InetSocketAddress address;
  private final String jobId;
  private final String token;
  private final Duration callTimeout;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  private TensorChannelClient(String host, int port, String jobId, String token, Duration callTimeout) {
    this.address = new InetSocketAddress(host, port);
    this.jobId = jobId;
    this.token = token;
    this.callTimeout = callTimeout;
  }

  /**
   * Opens a first connection (blocks for the connect and the handshake). Throws {@link PsException}:
   * the server's refusal (UNAUTHENTICATED, NOT_FOUND), or TRANSPORT when it cannot be reached.
   */
  public static TensorChannelClient connect(String host, int port, String jobId, String token, Duration callTimeout) {
    TensorChannelClient c = new TensorChannelClient(host, port, jobId, token, callTimeout);
    c.idle.push(c.open());
    return c;
  }

  /** Where this client connects. */
  public InetSocketAddress address() {
    return address;
  }

  /** Pushes an update; see {@link org.lorafleet.ps.client.ParameterServerClient#pushGradients}. */
  public PushAck push(UpdateKind kind, String workerId, long step, Map<String, FloatTensor> tensors, double lossSum,
      long tokens) {
    return call("Push", c -> {
      c.out.writeByte(Wire.OP_PUSH).writeByte(kind == UpdateKind.WEIGHT_DELTAS ? 1 : 0).writeLong(step)
          .writeDouble(lossSum).writeLong(tokens).writeString(workerId);
      Messages.writeSpecs(c.out, tensors);
      for (FloatTensor t : tensors.values()) {
        c.out.writeFloats(t.data());
      }
      c.out.flush();
      Messages.readStatus(c.in);
      return new PushAck(c.in.readLong(), c.in.readByte() != 0, c.in.readByte() != 0, c.in.readLong(),
          c.in.readInt());
    });
  }

  /** The current version in full (fresh arrays, the job's tensor order). */
  public VersionedTensors pull() {
    return call("Pull", c -> {
      c.out.writeByte(Wire.OP_PULL);
      c.out.flush();
      return readVersion(c);
    });
  }

  /** Waits for the version as {@link #awaitVersion}, then returns it in full as {@link #pull}. */
  public VersionedTensors pullAtLeast(String workerId, long minVersion, Duration timeout) {
    long ms = Math.max(0, timeout.toMillis());
    return call("PullAtLeast", callTimeout.plusMillis(ms), c -> {
      c.out.writeByte(Wire.OP_PULL_AT_LEAST).writeString(workerId == null ? "" : workerId).writeLong(minVersion)
          .writeLong(ms);
      c.out.flush();
      return readVersion(c);
    });
  }

  private static VersionedTensors readVersion(Connection c) throws IOException {
    Messages.readStatus(c.in);
    long version = c.in.readLong();
    StepOutcome outcome = c.in.readByte() != 0 ? Messages.readOutcome(c.in) : null;
    List<Messages.Declared> specs = Messages.readSpecs(c.in, 1 << 20);
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (Messages.Declared d : specs) {
      long n = d.numelOrMinusOne();
      if (n < 0) {
        throw new Wire.ProtocolException("The server sent tensor '" + d.name() + "' with an invalid shape.");
      }
      float[] a = new float[(int) n];
      c.in.readFloats(a);
      tensors.put(d.name(), new FloatTensor(d.shape(), a));
    }
    return new VersionedTensors(version, tensors, outcome);
  }

  /**
   * Blocks until the version is at least {@code minVersion}; the server answers by {@code timeout}
   * (see {@link org.lorafleet.ps.client.ParameterServerClient#awaitVersion}), the call timeout only
   * guards against a lost server.
   */
  public VersionStatus awaitVersion(String workerId, long minVersion, Duration timeout) {
    long ms = Math.max(0, timeout.toMillis());
    return call("AwaitVersion", callTimeout.plusMillis(ms), c -> {
      c.out.writeByte(Wire.OP_AWAIT).writeString(workerId == null ? "" : workerId).writeLong(minVersion)
          .writeLong(ms);
      c.out.flush();
      Messages.readStatus(c.in);
      long version = c.in.readLong();
      return new VersionStatus(version, c.in.readByte() != 0 ? Messages.readOutcome(c.in) : null);
    });
  }

  /** Closes idle connections; calls in progress close theirs when they end. */
  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      c.close();
    }
  }

  private interface IoCall<T> {
    T run(Connection c) throws IOException;
  }

  private <T> T call(String name, IoCall<T> body) {
    return call(name, callTimeout, body);
  }

  private <T> T call(String name, Duration deadline, IoCall<T> body) {
    if (closed) {
      throw new PsException(Refusal.TRANSPORT, "The tensor channel client is closed.");
    }
    Connection c = idle.poll();
    if (c == null) {
      c = open();
    }
    boolean reusable = false;
    Deadline d = Deadline.arm(c.ch, deadline);
    try {
      T r = body.run(c);
      reusable = true;
      return r;
    } catch (IOException e) {
      throw failure(name, e, d.fired() ? deadline : null);
    } finally {
      d.close();
      if (reusable && !closed) {
        idle.push(c);
      } else {
        c.close(); // after a refusal too: the server may have closed its end
      }
    }
  }

  /** @param deadlinePassed the call's deadline if it passed, else null */
  private PsException failure(String call, IOException e, Duration deadlinePassed) {
    if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
      Thread.currentThread().interrupt();
      return new PsException(PsStatus.CANCELLED, Refusal.INTERRUPTED, "Interrupted during the " + call
          + " call on the tensor channel.", e);
    }
    if (deadlinePassed != null) {
      return new PsException(PsStatus.DEADLINE_EXCEEDED, Refusal.TRANSPORT, "The parameter server at " + address
          + " did not answer the " + call + " call on the tensor channel within " + deadlinePassed.toMillis()
          + " ms.", e);
    }
    return new PsException(PsStatus.UNAVAILABLE, Refusal.TRANSPORT, "The tensor channel to the parameter server at "
        + address + " failed during the " + call + " call: " + e.getMessage(), e);
  }

  /** Connects and authenticates one connection; blocks up to the connect timeout plus the call timeout. */
  private Connection open() {
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open();
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      ch.setOption(StandardSocketOptions.SO_SNDBUF, Wire.SOCKET_BUFFER_BYTES);
      ch.setOption(StandardSocketOptions.SO_RCVBUF, Wire.SOCKET_BUFFER_BYTES);
      ch.socket().connect(address, (int) CONNECT_TIMEOUT.toMillis());
      Connection c = new Connection(ch);
      try (Deadline d = Deadline.arm(ch, callTimeout)) {
        c.out.writeInt(Wire.MAGIC).writeInt(Wire.VERSION).writeString(jobId);
        c.out.flush();
        Messages.readStatus(c.in);
        byte[] nonce = new byte[JobTokens.NONCE_BYTES];
        c.in.readBytes(nonce);
        c.out.writeBytes(java.nio.ByteBuffer.wrap(JobTokens.proof(token, jobId, nonce))); // the token itself never travels
        c.out.flush();
        Messages.readStatus(c.in);
      }
      return c;
    } catch (IOException e) {
      closeQuietly(ch);
      throw failure("Connect", e, null);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Nothing more to release.
      }
    }
  }

  /** One authenticated connection with its buffers. */
  private static final class Connection {
    final SocketChannel ch;
    final Wire.In in;
    final Wire.Out out;

    Connection(SocketChannel ch) {
      this.ch = ch;
      this.in = new Wire.In(ch);
      this.out = new Wire.Out(ch);
    }

    void close() {
      closeQuietly(ch);
    }
  }
}
