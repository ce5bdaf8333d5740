package org.lorafleet.ps.tensorchannel;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The 1 MiB direct buffers of admitted tensor-channel connections, reused from one connection to the
 * next: direct memory is only returned to the system when a buffer object is collected, so buffers
 * made and dropped per connection pile up (a churn of connections grew the driver by gigabytes).
 * Keeps at most {@code maxIdle} idle buffers; thread-safe, never blocks.
 */
final class BufferPool {

  private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
  private final int maxIdle;

  BufferPool(int maxIdle) {
    this.maxIdle = maxIdle;
  }

  synchronized ByteBuffer take() {
    ByteBuffer b = idle.poll();
    return b != null ? b.clear() : ByteBuffer.allocateDirect(Wire.BUFFER_BYTES);
  }

  synchronized void give(ByteBuffer b) {
    if (b != null && idle.size() < maxIdle) {
      idle.push(b);
    }
  }
}
