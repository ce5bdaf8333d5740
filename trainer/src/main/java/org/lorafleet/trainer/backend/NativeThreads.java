package org.lorafleet.trainer.backend;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The number of threads one ND4J caller uses: libnd4j's team per op ({@code maxMasterThreads}), the
 * BLAS pool (OpenBLAS) and the calling thread's OpenMP team size (oneDNN's bf16 matmuls, which share
 * libnd4j's libgomp). The first two are per process, so every task of one executor must ask for the
 * same number; the OpenMP setting holds for the calling thread only, so call this on the thread that
 * computes. Two W1 trainers in one JVM on
 * 2 cores ran 1.37× faster with 1 thread each than with both pools machine-wide (docs/benchmarks.md).
 */
public final class NativeThreads {

  /** The BLAS threads ND4J started with (OMP_NUM_THREADS, else the cores), read before any limit. */
  private static final int STARTED_WITH = current();

  private NativeThreads() {}

  /** Gives back the thread count ND4J started with (e.g. to the driver's own evaluation after local tasks). */
  public static int restore() {
    return limit(STARTED_WITH);
  }

  /** Limits ND4J's and BLAS's threads to {@code n} (≥ 1) and returns the BLAS thread count now in force. */
  public static int limit(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("A thread count must be at least 1, not " + n + ".");
    }
    Nd4j.getEnvironment().setMaxMasterThreads(n); // the OpenMP team of each op; maxThreads only caps it
    Nd4j.factory().blas().setMaxThreads(n);
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n); // omp_set_num_threads: this thread
    return current();
  }

  /** The BLAS thread count in force. */
  public static int current() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
