package org.lorafleet.ps.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.optim.LrSchedule;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.client.ClientOptions;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.GrpcParameterServer;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.server.ServerJobSpec;

/**
 * Loopback benchmark of the parameter server: sync-mode rounds in which each of C clients
 * ({@link GrpcClient}) pushes the gradient sums of an S-MB adapter, waits for the new version and
 * pulls it (S MB), for S ∈ {1, 16, 64} and C ∈ {1, 4, 16}: once as clients run by default (pushes
 * and pulls over the tensor channel), once with pushes and pulls on gRPC streams. Next to each
 * cell, the same traffic over plain sockets (each client writes S bytes, the server reads them and
 * writes S bytes back) gives the loopback ceiling; the ratio is the default path's.
 *
 * <p>MB/s counts payload moved: 2·S·C per round over the wall time of the round. Latency is one
 * client's push → await → pull round trip (it includes the server applying AdamW to the whole
 * adapter, reported separately as "apply"). Run with {@code bench/ps-bench.sh}.
 */
public final class PsBench {

  private static final double MB = 1 << 20;

  private PsBench() {}

  /** Runs of each cell (socket ceiling and server alternately); the median run is reported. */
  static final int REPETITIONS = 3;

  /** The run with the median throughput. */
  static Cell median(List<Cell> runs) {
    List<Cell> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(Cell::mbPerSec));
    return sorted.get(sorted.size() / 2);
  }

  /** One measured cell. */
  record Cell(double mbPerSec, double p50, double p99, int samples, double applyMs) {}

  public static void main(String[] args) throws Exception {
    int[] sizes = {1, 16, 64};
    int[] clients = {1, 4, 16};
    if (args.length > 0 && args[0].equals("--quick")) {
      sizes = new int[] {1, 16};
      clients = new int[] {1, 4};
    }
    long start = System.nanoTime();
    System.out.printf(Locale.ROOT, "Parameter-server loopback benchmark, %d cores, Java %s, max heap %.0f MB%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() / MB);
    System.out.println("MB/s = payload (push + pull) per second over all clients; latency = one client's push+await+pull");
    System.out.println("ps = default client (tensor channel); grpc = pushes and pulls on gRPC streams; "
        + "ratio = ps / sock; ps and sock: median of " + REPETITIONS + " alternating runs");
    System.out.printf(Locale.ROOT, "%7s %7s %6s | %9s %9s %9s %9s | %9s | %9s %9s %9s | %6s%n", "adapter", "clients",
        "rounds", "ps MB/s", "p50 ms", "p99 ms", "apply ms", "grpc MB/s", "sock MB/s", "p50 ms", "p99 ms", "ratio");
    // Warm the JIT on every path so that the first cells do not measure compilation.
    grpc(4, 2, 30, 5, true);
    grpc(4, 2, 10, 5, false);
    sockets(4, 2, 30, 5);
    for (int s : sizes) {
      for (int c : clients) {
        int rounds = s == 1 ? 40 : s == 16 ? 20 : 5;
        int warmup = s == 64 ? 1 : 2;
        // The machine's loopback speed drifts (it is shared); alternate ceiling and server runs and
        // report the median repetition of each.
        List<Cell> socks = new ArrayList<>();
        List<Cell> pss = new ArrayList<>();
        for (int rep = 0; rep < REPETITIONS; rep++) {
          socks.add(sockets(s, c, rounds, warmup));
          pss.add(grpc(s, c, rounds, warmup, true));
        }
        Cell sock = median(socks);
        Cell ps = median(pss);
        Cell grpc = grpc(s, c, Math.max(3, rounds / 4), warmup, false);
        System.out.printf(Locale.ROOT, "%5d MB %7d %6d | %9.0f %9.1f %9.1f %9.1f | %9.0f | %9.0f %9.1f %9.1f | %5.0f%%%n",
            s, c, rounds, ps.mbPerSec(), ps.p50(), ps.p99(), ps.applyMs(), grpc.mbPerSec(), sock.mbPerSec(),
            sock.p50(), sock.p99(), 100 * ps.mbPerSec() / sock.mbPerSec());
        System.gc();
      }
    }
    bareGrpcStream(16);
    productAggregation();
    System.out.printf(Locale.ROOT, "Total %.0f s%n", (System.nanoTime() - start) / 1e9);
  }

  /**
   * The transport alone: one client pulls a 16-MB version over and over through the same server
   * stream, counting bytes without decoding them (chunks are encoded once per version on the
   * server). Compared with the one-way socket copy, it shows what gRPC itself costs here.
   */
  static void bareGrpcStream(int mb) throws Exception {
    Map<String, FloatTensor> init = adapter(mb, 1);
    String secret = ServerJobSpec.randomSecret();
    ParameterServerCore core = new ParameterServerCore(ServerJobSpec.builder("bench", secret, init).build());
    GrpcParameterServer server = GrpcParameterServer.start(core, ServerOptions.loopback());
    io.grpc.ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forAddress("127.0.0.1", server.port()).usePlaintext().initialFlowControlWindow(4 << 20).build();
    io.grpc.Channel c = io.grpc.ClientInterceptors.intercept(ch, io.grpc.stub.MetadataUtils
        .newAttachHeadersInterceptor(org.lorafleet.ps.rpc.RpcHeaders.credentials("bench", secret)));
    try {
      List<Double> ms = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; i < 40; i++) {
        long t0 = System.nanoTime();
        java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.ClientCalls.asyncServerStreamingCall(
            c.newCall(org.lorafleet.ps.rpc.ChunkMethods.PULL, io.grpc.CallOptions.DEFAULT),
            org.lorafleet.ps.rpc.proto.PullRequest.getDefaultInstance(),
            new io.grpc.stub.StreamObserver<org.lorafleet.ps.rpc.proto.PullMessage>() {
              long n;

              @Override
              public void onNext(org.lorafleet.ps.rpc.proto.PullMessage m) {
                n += m.hasChunk() ? m.getChunk().getData().size() : 0;
              }

              @Override
              public void onError(Throwable t) {
                f.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                f.complete(n);
              }
            });
        bytes = f.get();
        if (i >= 10) {
          ms.add((System.nanoTime() - t0) / 1e6);
        }
      }
      double p50 = percentile(ms, 50);
      Cell sock = sockets(mb, 1, 30, 5);
      double sockOneWay = sock.mbPerSec(); // a socket round trip moves 2·S in the time of two one-way copies
      System.out.printf(Locale.ROOT, "bare gRPC server stream, %d MB one way, no decode: p50 %.1f ms = %.0f MB/s "
          + "(%.0f%% of the socket copy's %.0f MB/s)%n", mb, p50, bytes / MB / (p50 / 1e3),
          100 * bytes / MB / (p50 / 1e3) / sockOneWay, sockOneWay);
    } finally {
      ch.shutdownNow();
      server.close();
      core.close();
    }
  }

  /**
   * Cost of one local-sgd {@code product} round: 16 workers, 8 LoRA pairs of rank 8 on 768×768
   * projections (the W1 workload's shapes), i.e. k = 128 factor columns per pair.
   */
  static void productAggregation() {
    SplittableRandom r = new SplittableRandom(3);
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      w.put("p" + i + ".lora_A.weight", random(r, 8, 768));
      w.put("p" + i + ".lora_B.weight", random(r, 768, 8));
    }
    List<org.lorafleet.ps.server.DeltaAveraging.Contribution> cs = new ArrayList<>();
    for (int k = 0; k < 16; k++) {
      Map<String, FloatTensor> d = new LinkedHashMap<>();
      w.forEach((name, t) -> d.put(name, random(r, t.shape())));
      cs.add(new org.lorafleet.ps.server.DeltaAveraging.Contribution(d, 100 + k));
    }
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 4; rep++) {
      Map<String, FloatTensor> copy = new LinkedHashMap<>();
      w.forEach((name, t) -> copy.put(name, t.copy()));
      long t0 = System.nanoTime();
      org.lorafleet.ps.server.DeltaAveraging.apply(copy, cs, org.lorafleet.ps.api.Aggregation.PRODUCT);
      best = Math.min(best, (System.nanoTime() - t0) / 1e6);
    }
    System.out.printf(Locale.ROOT, "local-sgd product round, 16 workers x 8 pairs (768x768, r=8): %.0f ms (%.1f ms per "
        + "pair)%n", best, best / 8);
  }

  /** An adapter of about {@code mb} MB: 8 LoRA pairs of rank 8. */
  static Map<String, FloatTensor> adapter(int mb, long seed) {
    int floats = (int) (mb * MB / 4);
    int perTensor = floats / 16;
    int dim = perTensor / 8;
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      m.put("layers." + i + ".lora_A.weight", random(r, 8, dim));
      m.put("layers." + i + ".lora_B.weight", random(r, dim, 8));
    }
    return m;
  }

  private static FloatTensor random(SplittableRandom r, long... shape) {
    FloatTensor t = FloatTensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) r.nextDouble(-0.01, 0.01);
    }
    return t;
  }

  /** Sync rounds through a real server on loopback; {@code tensorChannel} false keeps clients on gRPC streams. */
  static Cell grpc(int mb, int clients, int rounds, int warmup, boolean tensorChannel) throws Exception {
    Map<String, FloatTensor> init = adapter(mb, 1);
    Map<String, FloatTensor> grad = adapter(mb, 2);
    long bytes = 0;
    for (FloatTensor t : init.values()) {
      bytes += 4L * t.size();
    }
    String secret = ServerJobSpec.randomSecret();
    ServerJobSpec cfg = ServerJobSpec.builder("bench", secret, init).expectedWorkers(clients)
        .adamW(AdamWSettings.withWeightDecay(0.0)).lrSchedule(LrSchedule.constant(1e-4)).maxGradNorm(1.0)
        .stepTimeout(Duration.ofMinutes(5)).build();
    init = null;
    ParameterServerCore core = new ParameterServerCore(cfg);
    GrpcParameterServer server = GrpcParameterServer.start(core, ServerOptions.loopback());
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<GrpcClient> cs = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        GrpcClient c = new GrpcClient(ClientOptions.of("127.0.0.1", server.port(), "bench", secret)
            .withTensorChannel(tensorChannel));
        c.register("c" + i);
        c.pull();
        cs.add(c);
      }
      int total = warmup + rounds;
      double[][] lat = new double[clients][total];
      long[] roundStart = new long[total];
      long[] roundEnd = new long[total];
      CyclicBarrier barrier = new CyclicBarrier(clients, null);
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int id = i;
        GrpcClient c = cs.get(i);
        fs.add(pool.submit(() -> {
          for (int s = 0; s < total; s++) {
            barrier.await();
            long t0 = System.nanoTime();
            if (id == 0) {
              roundStart[s] = t0;
            }
            if (c.pushGradients("c" + id, s, grad, 1.0, 100).applied()) { // the last push applies the step
              c.pull();
            } else {
              c.pullAtLeast("c" + id, s + 1, Duration.ofMinutes(5)); // waits for it, then pulls
            }
            long t1 = System.nanoTime();
            lat[id][s] = (t1 - t0) / 1e6;
            barrier.await();
            if (id == 0) {
              roundEnd[s] = System.nanoTime();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      double wall = 0;
      List<Double> samples = new ArrayList<>();
      for (int s = warmup; s < total; s++) {
        wall += (roundEnd[s] - roundStart[s]) / 1e9;
        for (int i = 0; i < clients; i++) {
          samples.add(lat[i][s]);
        }
      }
      double apply = 0;
      List<StepOutcome> outs = core.outcomes(warmup);
      for (StepOutcome o : outs) {
        apply += o.applyMillis();
      }
      double mbps = 2.0 * bytes * clients * rounds / MB / wall;
      return new Cell(mbps, percentile(samples, 50), percentile(samples, 99), samples.size(), apply / outs.size());
    } finally {
      pool.shutdownNow();
      cs.forEach(GrpcClient::close);
      server.close();
      core.close();
    }
  }

  /** The same traffic over plain loopback sockets: write S, echo S back, read S. */
  static Cell sockets(int mb, int clients, int rounds, int warmup) throws Exception {
    long bytes = (long) (mb * MB);
    int total = warmup + rounds;
    try (ServerSocket ss = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
      ExecutorService pool = Executors.newFixedThreadPool(2 * clients);
      try {
        List<Socket> clientSockets = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
          c.setTcpNoDelay(true);
          Socket s = ss.accept();
          s.setTcpNoDelay(true);
          clientSockets.add(c);
          pool.submit(() -> {
            byte[] buf = new byte[1 << 20];
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              for (int r = 0; r < total; r++) {
                readFully(in, buf, bytes);
                writeFully(out, buf, bytes);
              }
            }
            return null;
          });
        }
        double[][] lat = new double[clients][total];
        long[] roundStart = new long[total];
        long[] roundEnd = new long[total];
        CyclicBarrier barrier = new CyclicBarrier(clients);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          int id = i;
          Socket c = clientSockets.get(i);
          fs.add(pool.submit(() -> {
            byte[] buf = new byte[1 << 20];
            Arrays.fill(buf, (byte) 7);
            try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
              for (int r = 0; r < total; r++) {
                barrier.await();
                long t0 = System.nanoTime();
                if (id == 0) {
                  roundStart[r] = t0;
                }
                writeFully(out, buf, bytes);
                readFully(in, buf, bytes);
                lat[id][r] = (System.nanoTime() - t0) / 1e6;
                barrier.await();
                if (id == 0) {
                  roundEnd[r] = System.nanoTime();
                }
              }
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        double wall = 0;
        List<Double> samples = new ArrayList<>();
        for (int r = warmup; r < total; r++) {
          wall += (roundEnd[r] - roundStart[r]) / 1e9;
          for (int i = 0; i < clients; i++) {
            samples.add(lat[i][r]);
          }
        }
        return new Cell(2.0 * bytes * clients * rounds / MB / wall, percentile(samples, 50), percentile(samples, 99),
            samples.size(), 0);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static void writeFully(OutputStream out, byte[] buf, long n) {
    try {
      for (long left = n; left > 0; ) {
        int k = (int) Math.min(buf.length, left);
        out.write(buf, 0, k);
        left -= k;
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readFully(InputStream in, byte[] buf, long n) {
    try {
      for (long left = n; left > 0; ) {
        int k = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (k < 0) {
          throw new IOException("Connection closed with " + left + " bytes to go.");
        }
        left -= k;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double percentile(List<Double> xs, double p) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int i = (int) Math.ceil(p / 100 * a.length) - 1;
    return a[Math.max(0, Math.min(a.length - 1, i))];
  }
}
