package org.lorafleet.ps.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.rpc.StatusMapping;

/**
 * Drives asynchronous gRPC streaming calls from a blocking caller: sends a client stream with flow
 * control and waits for a call's result, mapping failures to {@link PsException} and cancelling
 * the call when the caller is interrupted or fails while sending. Stateless; every method blocks
 * the calling thread (the call's deadline bounds the wait); gRPC's threads only complete futures
 * and wake the sender.
 */
final class StreamCalls {

  private StreamCalls() {}

  /**
   * Sends a client stream with flow control (waits while the transport is not ready); blocks for
   * the reply.
   *
   * @param start starts the call with the given response observer (which must see {@code
   *     beforeStart}, as the {@code ClientCalls} helpers do) and returns the request stream
   */
  static <Q, R> R send(String callName, Function<StreamObserver<R>, StreamObserver<Q>> start, Iterator<Q> items) {
    CompletableFuture<R> result = new CompletableFuture<>();
    Object ready = new Object();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<Q>[] call = new ClientCallStreamObserver[1];
    StreamObserver<Q> out = start.apply(new ClientResponseObserver<Q, R>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Q> c) {
        call[0] = c;
        c.setOnReadyHandler(() -> {
          synchronized (ready) {
            ready.notifyAll();
          }
        });
      }

      @Override
      public void onNext(R value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(StatusMapping.fromGrpc(t, callName));
        synchronized (ready) {
          ready.notifyAll();
        }
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new PsException(Refusal.TRANSPORT, "The " + callName
            + " call ended without a reply."));
      }
    });
    try {
      while (items.hasNext() && !result.isDone()) {
        synchronized (ready) {
          while (!call[0].isReady() && !result.isDone()) {
            ready.wait(1000);
          }
        }
        if (!result.isDone()) {
          out.onNext(items.next());
        }
      }
      if (!result.isDone()) {
        out.onCompleted();
      }
    } catch (InterruptedException e) {
      call[0].cancel("The client thread was interrupted.", e);
      Thread.currentThread().interrupt();
      throw new PsException(Refusal.INTERRUPTED, "Interrupted during the " + callName + " call.");
    } catch (RuntimeException e) {
      call[0].cancel("The client failed while sending.", e);
      throw e;
    }
    return await(result, call[0], callName);
  }

  /** Blocks for {@code f}, the result of {@code call}; cancels the call if the thread is interrupted. */
  static <T> T await(CompletableFuture<T> f, ClientCallStreamObserver<?> call, String callName) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      call.cancel("The client thread was interrupted.", e);
      Thread.currentThread().interrupt();
      throw new PsException(Refusal.INTERRUPTED, "Interrupted during the " + callName + " call.");
    } catch (ExecutionException e) {
      throw StatusMapping.fromGrpc(e.getCause(), callName);
    }
  }
}
