package org.lorafleet.trainer.nn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.lorafleet.trainer.backend.NativeBuild;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code x · w} or {@code x · wᵀ} with a bfloat16 frozen weight through oneDNN 2.5's matmul: the
 * float32 input is rounded to bfloat16 (round-to-nearest-even, a oneDNN reorder), products are
 * accumulated in float32 and the result is float32, as PyTorch's bf16 autocast computes a Linear.
 * On a CPU with AMX the kernel runs at 1.2–2.2 TFLOP/s on 2 cores against ~270 for float32
 * (docs/benchmarks.md). ND4J's own bfloat16 matmul is not used: the plain builds' is wrong and the
 * oneDNN build's (oneDNN 2.3) has no AMX kernel.
 *
 * <p>Primitives are built once per shape and kept (a bounded cache); each calling thread has its
 * own oneDNN stream. Calls block until the product is written.
 */
public final class Bf16Matmul {

  private static final int CACHED_SHAPES = 256;
  private static final Set<String> BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");
  private static volatile Boolean available;
  private static engine cpu;
  private static final ThreadLocal<stream> STREAMS = ThreadLocal.withInitial(() -> new stream(engine()));
  private static final Map<Key, Prepared> PREPARED = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Prepared> eldest) {
      return size() > CACHED_SHAPES; // evicted primitives are freed when collected
    }
  };

  private Bf16Matmul() {}

  /**
   * Whether this CPU has bfloat16 dot-product instructions (AVX512_BF16 or AMX), which the kernel needs
   * to win, and oneDNN's native library is on the classpath.
   */
  public static boolean available() {
    Boolean a = available;
    if (a == null) {
      Set<String> flags = NativeBuild.cpuFlags();
      a = BF16_FLAGS.stream().anyMatch(flags::contains) // and oneDNN's natives are shipped (not in the cuda build)
          && Bf16Matmul.class.getClassLoader().getResource("org/bytedeco/dnnl/linux-x86_64/libjnidnnl.so") != null;
      available = a;
    }
    return a;
  }

  /**
   * @param x [M, K] float32, rows contiguous (a row range of a C-order matrix is fine)
   * @param w bfloat16 [K, N], or [N, K] when {@code transposeW}; C order, contiguous
   * @return x·w (or x·wᵀ) [M, N], float32, in the active workspace
   */
  public static INDArray mm(INDArray x, INDArray w, boolean transposeW) {
    if (w.dataType() != DataType.BFLOAT16 || w.rank() != 2 || w.ordering() != 'c' || w.stride(1) != 1
        || w.stride(0) != w.size(1)) {
      throw new IllegalArgumentException("Bf16Matmul needs a contiguous C-order bfloat16 weight; got "
          + w.dataType() + " " + w.shapeInfoToString() + ".");
    }
    if (x.dataType() != DataType.FLOAT || x.rank() != 2) {
      throw new IllegalArgumentException("Bf16Matmul multiplies a float32 matrix; got " + x.dataType() + " rank "
          + x.rank() + ".");
    }
    if (x.ordering() != 'c' || x.stride(1) != 1) {
      x = x.dup('c');
    }
    long m = x.size(0);
    long k = x.size(1);
    long wk = transposeW ? w.size(1) : w.size(0);
    long n = transposeW ? w.size(0) : w.size(1);
    if (wk != k) {
      throw new IllegalArgumentException("Bf16Matmul: x is [" + m + ", " + k + "] but the weight gives " + wk
          + " inputs.");
    }
    INDArray xb = Nd4j.createUninitialized(DataType.BFLOAT16, m, k); // x rounded, [M, K]
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, m, n); // [M, N]
    if (m == 0 || n == 0) {
      return y;
    }
    Prepared p = prepared(new Key(m, k, n, x.stride(0), transposeW));
    stream s = STREAMS.get();
    try (memory xm = new memory(p.x, cpu, address(x)); memory xbm = new memory(p.xb, cpu, address(xb));
        memory wm = new memory(p.w, cpu, address(w)); memory ym = new memory(p.y, cpu, address(y));
        IntMemoryMap args = new IntMemoryMap()) {
      p.round.execute(s, xm, xbm);
      args.put(DNNL_ARG_SRC, xbm);
      args.put(DNNL_ARG_WEIGHTS, wm);
      args.put(DNNL_ARG_DST, ym);
      p.product.execute(s, args);
      s._wait(); // blocks until both primitives are done
    }
    return y;
  }

  /** The shape of one call: x [m, k] with row stride {@code xRowStride}, n outputs, weight layout. */
  private record Key(long m, long k, long n, long xRowStride, boolean transposeW) {}

  /** Memory descriptors and the two primitives (round x to bf16, then the product) of one shape. */
  private record Prepared(memory.desc x, memory.desc xb, memory.desc w, memory.desc y, reorder round,
      matmul product) {}

  private static Prepared prepared(Key key) {
    synchronized (PREPARED) {
      Prepared p = PREPARED.get(key);
      if (p == null) {
        engine e = engine();
        memory.desc x = new memory.desc(new long[] {key.m, key.k}, memory.data_type.f32, new long[] {key.xRowStride, 1});
        memory.desc xb = new memory.desc(new long[] {key.m, key.k}, memory.data_type.bf16, new long[] {key.k, 1});
        memory.desc w = new memory.desc(new long[] {key.k, key.n}, memory.data_type.bf16,
            key.transposeW ? new long[] {1, key.k} : new long[] {key.n, 1}); // stored [N, K] or [K, N]
        memory.desc y = new memory.desc(new long[] {key.m, key.n}, memory.data_type.f32, new long[] {key.n, 1});
        reorder round = new reorder(new reorder.primitive_desc(e, x, e, xb));
        matmul product = new matmul(new matmul.primitive_desc(new matmul.desc(xb, w, y), e));
        p = new Prepared(x, xb, w, y, round, product);
        PREPARED.put(key, p);
      }
      return p;
    }
  }

  private static synchronized engine engine() {
    if (cpu == null) {
      cpu = new engine(engine.kind.cpu, 0);
    }
    return cpu;
  }

  /** A pointer to the first element of {@code a} (its buffer plus its offset). */
  private static Pointer address(INDArray a) {
    return new Address(a.data().platformAddress() + a.offset() * a.dataType().width());
  }

  /** A raw native address handed to oneDNN (not owned: ND4J frees the buffer). */
  private static final class Address extends Pointer {
    Address(long address) {
      this.address = address;
    }
  }
}
