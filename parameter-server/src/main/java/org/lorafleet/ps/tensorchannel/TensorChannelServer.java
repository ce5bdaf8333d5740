package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.lorafleet.ps.server.ParameterServerCore;

/**
 * Listens for tensor-channel connections of one {@link ParameterServerCore}: one accept thread and
 * one daemon thread per connection (reads block; a push that completes a step runs the update in
 * its connection's thread, as a gRPC push does in its handler). Closing stops accepting and cuts
 * every connection; the core stays usable.
 */
public final class TensorChannelServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TensorChannelServer.class.getName());
  /** Open connections beyond this are closed at once (each admitted one holds a thread and two 1 MiB buffers). */
  static final int MAX_CONNECTIONS = 1024;
  /**
   * Connections not yet admitted beyond this are closed at once; each holds a thread and 8 KiB of
   * heap for at most {@link ServerSession#HANDSHAKE_TIMEOUT}, so a flood of idle connections costs
   * bounded memory and time.
   */
  static final int MAX_UNADMITTED = 64;

  private final ParameterServerCore core;
  private final ServerSocketChannel listener;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private final AtomicInteger unadmitted = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong refusedConnections = new java.util.concurrent.atomic.AtomicLong();
  private final BufferPool buffers = new BufferPool(32);
  private final EncodedVersions encoded = new EncodedVersions();
  private final Thread acceptor;
  private volatile boolean closed;

  private TensorChannelServer(ParameterServerCore core, ServerSocketChannel listener) {
    this.core = core;
    this.listener = listener;
    this.acceptor = new Thread(this::acceptLoop, "ps-" + core.config().jobId() + "-tensor-channel");
    acceptor.setDaemon(true);
  }

  /**
   * Binds {@code bindAddress:port} (0 = ephemeral) and starts accepting. Throws {@link
   * UncheckedIOException} if the address cannot be bound.
   */
  public static TensorChannelServer start(ParameterServerCore core, String bindAddress, int port) {
    ServerSocketChannel l = null;
    try {
      l = ServerSocketChannel.open();
      l.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      l.setOption(StandardSocketOptions.SO_RCVBUF, Wire.SOCKET_BUFFER_BYTES); // inherited by accepted sockets
      l.bind(new InetSocketAddress(bindAddress, port), 64);
    } catch (IOException e) {
      closeQuietly(l);
      throw new UncheckedIOException("Cannot start the tensor channel on " + bindAddress + ":" + port
          + " (set the parameter server's tensor channel port, or turn the channel off).", e);
    }
    TensorChannelServer s = new TensorChannelServer(core, l);
    s.acceptor.start();
    return s;
  }

  /** The bound port. */
  public int port() {
    try {
      return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("The tensor channel's listening socket is closed.", e);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.log(System.Logger.Level.WARNING, "The tensor channel failed to accept a connection.", e);
        }
        continue;
      }
      if (connections.size() >= MAX_CONNECTIONS) {
        refuse(ch, MAX_CONNECTIONS + " are open already (the client falls back to gRPC or fails its call)");
        continue;
      }
      if (unadmitted.incrementAndGet() > MAX_UNADMITTED) {
        unadmitted.decrementAndGet();
        refuse(ch, MAX_UNADMITTED + " connections are in their handshake already");
        continue;
      }
      connections.add(ch);
      if (closed) {
        closeQuietly(ch);
        return;
      }
      Thread t = new Thread(() -> serve(ch), "ps-" + core.config().jobId() + "-tensor-conn-"
          + connectionCount.incrementAndGet());
      t.setDaemon(true);
      t.start();
    }
  }

  /** Closes a connection it will not serve; logs the 1st, 2nd, 4th, 8th… refusal, so a flood cannot flood the log. */
  private void refuse(SocketChannel ch, String why) {
    closeQuietly(ch);
    long n = refusedConnections.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      LOG.log(System.Logger.Level.WARNING, "The tensor channel refused a connection: " + why + " (" + n
          + " refused so far).");
    }
  }

  private void serve(SocketChannel ch) {
    boolean[] admitted = {false};
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      ch.setOption(StandardSocketOptions.SO_SNDBUF, Wire.SOCKET_BUFFER_BYTES);
      new ServerSession(core, ch, encoded, buffers, () -> {
        admitted[0] = true;
        unadmitted.decrementAndGet();
      }).run();
    } catch (IOException e) {
      // The peer went away or broke the framing; the session already counted what it must.
      LOG.log(System.Logger.Level.DEBUG, "A tensor-channel connection ended: " + e.getMessage());
    } finally {
      if (!admitted[0]) {
        unadmitted.decrementAndGet();
      }
      connections.remove(ch);
      closeQuietly(ch);
    }
  }

  /** Stops accepting and closes every connection, cutting calls in progress. Does not block. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (SocketChannel ch : connections) {
      closeQuietly(ch);
    }
  }

  private static void closeQuietly(java.nio.channels.Channel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "Closing a tensor-channel socket failed: " + e.getMessage());
    }
  }
}
