package org.lorafleet.ps.client;

import java.util.function.IntSupplier;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.tensorchannel.TensorChannelClient;

/**
 * Whether a {@link GrpcClient}'s pushes, pulls and waits take the server's tensor channel, decided
 * once, on the first of them: the server says where its channel listens (or that it offers none);
 * if the channel cannot be reached, the client stays on gRPC streams and logs why. Thread-safe;
 * {@link #channel} blocks for that first decision (a gRPC call, then a connect and handshake).
 */
final class TensorChannelRoute implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TensorChannelRoute.class.getName());

  private final ClientOptions options;
  private final Object lock = new Object();
  private volatile boolean decided;
  private volatile TensorChannelClient channel;

  TensorChannelRoute(ClientOptions options) {
    this.options = options;
  }

  /**
   * The channel to use, or null for gRPC streams.
   *
   * @param askPort the server's answer to "where does your tensor channel listen" (0: nowhere);
   *     throws if the server cannot be asked, which leaves the decision for the next call
   */
  TensorChannelClient channel(IntSupplier askPort) {
    if (!options.tensorChannel() || decided) {
      return channel;
    }
    synchronized (lock) {
      if (decided) {
        return channel;
      }
      int port;
      try {
        port = askPort.getAsInt();
      } catch (RuntimeException e) {
        return null; // not decided: the gRPC call that follows reports what is wrong
      }
      if (port > 0) {
        try {
          channel = TensorChannelClient.connect(options.host(), port, options.jobId(), options.token(),
              options.callTimeout());
        } catch (PsException e) {
          if (e.reason() == Refusal.INTERRUPTED) {
            throw e;
          }
          LOG.log(System.Logger.Level.WARNING, "The parameter server's tensor channel at " + options.host() + ":"
              + port + " cannot be used (" + e.getMessage() + "); pushes and pulls go over gRPC streams, which are "
              + "slower for large adapters.");
        }
      }
      decided = true;
      return channel;
    }
  }

  /** Whether the channel is in use (false until decided). */
  boolean inUse() {
    return channel != null;
  }

  @Override
  public void close() {
    TensorChannelClient c = channel;
    if (c != null) {
      c.close();
    }
  }
}
