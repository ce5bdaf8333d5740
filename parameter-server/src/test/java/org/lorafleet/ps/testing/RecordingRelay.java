package org.lorafleet.ps.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 that forwards every connection to a target and records every byte in both
 * directions: what an eavesdropper on the network between client and server would see.
 */
public final class RecordingRelay implements AutoCloseable {

  private final ServerSocket listener;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream(); // guarded by seen
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public RecordingRelay(int targetPort) throws IOException {
    listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> accept(targetPort), "recording-relay");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Every byte relayed so far, both directions interleaved, as ISO-8859-1 text (one char per byte). */
  public String seen() {
    synchronized (seen) {
      return seen.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** The bytes relayed so far from clients to the server only. */
  public byte[] fromClients() {
    synchronized (seen) {
      return fromClients.toByteArray();
    }
  }

  private void accept(int targetPort) {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress("127.0.0.1", targetPort));
        sockets.add(client);
        sockets.add(server);
        pump(client.getInputStream(), server.getOutputStream(), true);
        pump(server.getInputStream(), client.getOutputStream(), false);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out, boolean upstream) {
    Thread t = new Thread(() -> {
      byte[] b = new byte[8192];
      try {
        for (int n; (n = in.read(b)) >= 0; ) {
          synchronized (seen) {
            seen.write(b, 0, n);
            if (upstream) {
              fromClients.write(b, 0, n);
            }
          }
          out.write(b, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed: the relay of this connection ends
      } finally {
        try {
          out.close();
        } catch (IOException e) {
          // already closed
        }
      }
    }, "recording-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
