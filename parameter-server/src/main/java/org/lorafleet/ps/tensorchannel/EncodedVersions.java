package org.lorafleet.ps.tensorchannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.server.PublishedVersion;

/**
 * The pull reply of the latest version, encoded once into a direct buffer that every connection
 * pulling that version writes from, so N pulls cost one float-to-byte copy instead of N. The first
 * puller of a version encodes it slice by slice and sends each slice as soon as it is encoded;
 * concurrent pullers of the same version follow behind it. A buffer is reused for a later version
 * only when no connection still writes it. Thread-safe; {@link #send} blocks on the socket and,
 * for a follower, on the encoding.
 */
final class EncodedVersions {

  private static final int SLICE_FLOATS = 1 << 18; // 1 MiB

  private static final class Entry {
    final long version;
    final ByteBuffer reply;
    final long payloadBytes;
    int encoded; // bytes of reply ready to send; guarded by the EncodedVersions monitor
    boolean failed;
    int users;
    boolean retired;

    Entry(long version, ByteBuffer reply, long payloadBytes) {
      this.version = version;
      this.reply = reply;
      this.payloadBytes = payloadBytes;
    }
  }

  private final Deque<ByteBuffer> spare = new ArrayDeque<>();
  private Entry latest;

  /**
   * Writes the pull reply of {@code p} to {@code out} (after flushing what it holds); returns the
   * payload bytes sent. Call while {@code p}'s arrays are stable (inside the core's read lease).
   */
  long send(PublishedVersion p, Wire.Out out) throws IOException {
    Entry e;
    boolean encoder = false;
    synchronized (this) {
      if (latest == null || latest.version != p.version()) {
        e = start(p);
        if (latest != null) {
          latest.retired = true;
          recycle(latest);
        }
        latest = e;
        encoder = true;
      } else {
        e = latest;
      }
      e.users++;
    }
    try {
      out.flush();
      if (encoder) {
        encodeAndSend(p, e, out);
      } else {
        follow(e, out);
      }
      return e.payloadBytes;
    } finally {
      synchronized (this) {
        e.users--;
        recycle(e);
      }
    }
  }

  private void recycle(Entry e) {
    if (e.retired && e.users == 0 && spare.size() < 2) {
      spare.push(e.reply);
    }
  }

  /** A buffer for {@code p}'s reply with the header in place. Under the monitor. */
  private Entry start(PublishedVersion p) {
    ByteBuffer header = Messages.versionReply(p.version(), p.lastOutcome(), p.tensors());
    long payload = 0;
    for (FloatTensor t : p.tensors().values()) {
      payload += 4L * t.size();
    }
    long size = header.remaining() + payload;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("A version of " + size + " bytes is too large for one tensor-channel reply.");
    }
    ByteBuffer b = null;
    while (!spare.isEmpty() && b == null) {
      ByteBuffer s = spare.pop();
      b = s.capacity() >= size ? s : null;
    }
    if (b == null) {
      b = ByteBuffer.allocateDirect((int) size);
    }
    b.clear().limit((int) size);
    b.put(header);
    Entry e = new Entry(p.version(), b, payload);
    e.encoded = b.position();
    return e;
  }

  /** Encodes the payload slice by slice, publishing progress to followers and sending each slice. */
  private void encodeAndSend(PublishedVersion p, Entry e, Wire.Out out) throws IOException {
    IOException sendFailure = null;
    int sent = 0;
    boolean done = false;
    try {
      ByteBuffer b = e.reply.duplicate();
      b.position(e.encoded);
      for (FloatTensor t : p.tensors().values()) {
        float[] d = t.data();
        for (int off = 0; off < d.length; off += SLICE_FLOATS) {
          int n = Math.min(SLICE_FLOATS, d.length - off);
          b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(d, off, n);
          b.position(b.position() + n * Float.BYTES);
          synchronized (this) {
            e.encoded = b.position();
            notifyAll();
          }
          if (sendFailure == null) { // our client may be gone; followers still need the encoding
            try {
              sent = sendRange(out, e, sent, b.position());
            } catch (IOException x) {
              sendFailure = x;
            }
          }
        }
      }
      if (sendFailure == null) {
        sent = sendRange(out, e, sent, b.position()); // the header alone, when there is no payload
      }
      if (b.position() != e.reply.limit()) {
        throw new IllegalStateException("Version " + e.version + " was encoded into " + b.position()
            + " bytes, not the " + e.reply.limit() + " its size was computed as.");
      }
      done = true;
    } finally {
      if (!done) {
        synchronized (this) {
          e.failed = true;
          notifyAll();
        }
      }
    }
    if (sendFailure != null) {
      throw sendFailure;
    }
  }

  private void follow(Entry e, Wire.Out out) throws IOException {
    int sent = 0;
    int total = e.reply.limit();
    while (sent < total) {
      int upTo;
      synchronized (this) {
        while (e.encoded <= sent && !e.failed) {
          try {
            wait();
          } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for a version to be encoded.");
          }
        }
        if (e.failed) {
          throw new IOException("Encoding version " + e.version + " failed in another connection.");
        }
        upTo = e.encoded;
      }
      sent = sendRange(out, e, sent, upTo);
    }
  }

  private static int sendRange(Wire.Out out, Entry e, int from, int to) throws IOException {
    if (to > from) {
      ByteBuffer v = e.reply.duplicate();
      v.limit(to).position(from);
      out.writeDirect(v);
    }
    return to;
  }
}
