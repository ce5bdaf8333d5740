package org.lorafleet.ps.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.function.ToLongFunction;

/**
 * Sends a server stream with flow control: messages go out only while the transport is ready, and
 * the rest resumes from the on-ready callback, so a slow reader never makes the server buffer a
 * whole adapter. Never blocks.
 */
final class StreamSender<T> {

  private final ServerCallStreamObserver<T> out;
  private final Iterator<T> items;
  private final ToLongFunction<T> size;
  private final java.util.function.LongConsumer sent;
  private boolean done;

  private StreamSender(ServerCallStreamObserver<T> out, Iterator<T> items, ToLongFunction<T> size,
      java.util.function.LongConsumer sent) {
    this.out = out;
    this.items = items;
    this.size = size;
    this.sent = sent;
  }

  /** Starts sending; must be called from the service method, before it returns. */
  static <T> void start(StreamObserver<T> observer, Iterator<T> items, int readyThreshold, ToLongFunction<T> size,
      java.util.function.LongConsumer sent) {
    ServerCallStreamObserver<T> out = (ServerCallStreamObserver<T>) observer;
    StreamSender<T> s = new StreamSender<>(out, items, size, sent);
    out.setOnCancelHandler(s::cancel);
    out.setOnReadyThreshold(readyThreshold);
    out.setOnReadyHandler(s::drain);
    s.drain();
  }

  private synchronized void cancel() {
    done = true;
  }

  private synchronized void drain() {
    if (done) {
      return;
    }
    try {
      while (out.isReady() && items.hasNext()) {
        T m = items.next();
        out.onNext(m);
        sent.accept(size.applyAsLong(m));
      }
      if (!items.hasNext()) {
        done = true;
        out.onCompleted();
      }
    } catch (RuntimeException e) {
      done = true;
      if (!out.isCancelled()) {
        out.onError(StatusMapping.toGrpc(e));
      }
    }
  }
}
