package org.lorafleet.trainer.nn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.scratchpad_mode;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.lorafleet.trainer.backend.NativeBuild;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Frozen-weight products through oneDNN 2.5's matmul (JavaCPP's dnnl preset).
 *
 * <p>{@link #mmFloat}: a float32 weight, float32 throughout, on oneDNN's {@code brg:avx512_core}
 * kernel, which runs the decoder layers' shapes 1.3–1.5× faster than ND4J's gemm on an AVX-512 CPU
 * (not the vocabulary head's, which stays on ND4J; docs/benchmarks.md, lever 10).
 *
 * <p>{@link #mm}: {@code x · w} or {@code x · wᵀ} with a bfloat16 frozen weight: the
 * float32 input is rounded to bfloat16 (round-to-nearest-even, a oneDNN reorder), products are
 * accumulated in float32 and the result is float32, as PyTorch's bf16 autocast computes a Linear.
 * On a CPU with AMX the kernel runs at 1.2–2.2 TFLOP/s on 2 cores against ~270 for float32
 * (docs/benchmarks.md). ND4J's own bfloat16 matmul is not used: the plain builds' is wrong and the
 * oneDNN build's (oneDNN 2.3) has no AMX kernel.
 *
 * <p>Primitives are built once per shape and kept (a bounded cache); each calling thread has its
 * own oneDNN stream. Calls block until the product is written.
 */
public final class OneDnnMatmul {

  private static final int CACHED_SHAPES = 256;
  private static final Set<String> BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");
  private static volatile Boolean available;
  private static volatile Boolean floatAvailable;
  private static engine cpu;
  private static final ThreadLocal<stream> STREAMS = ThreadLocal.withInitial(() -> new stream(engine()));
  private static final Map<Key, Prepared> PREPARED = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Prepared> eldest) {
      return size() > CACHED_SHAPES; // evicted primitives are freed when collected
    }
  };

  private OneDnnMatmul() {}

  /**
   * Whether float32 frozen products go through {@link #mmFloat}: the CPU has AVX-512 (the libnd4j
   * build chosen is the oneDNN + AVX-512 one), oneDNN's natives are shipped, and the JVM property
   * {@code lorafleet.onednn.f32} is not {@code false} (the switch the benchmark alternates).
   */
  public static boolean floatAvailable() {
    Boolean a = floatAvailable;
    if (a == null) {
      a = !"false".equals(System.getProperty("lorafleet.onednn.f32"))
          && NativeBuild.cpuFlags().containsAll(Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))
          && OneDnnMatmul.class.getClassLoader().getResource("org/bytedeco/dnnl/linux-x86_64/libjnidnnl.so") != null;
      floatAvailable = a;
    }
    return a;
  }

  /**
   * Whether this CPU has bfloat16 dot-product instructions (AVX512_BF16 or AMX), which the kernel needs
   * to win, and oneDNN's native library is on the classpath.
   */
  public static boolean available() {
    Boolean a = available;
    if (a == null) {
      Set<String> flags = NativeBuild.cpuFlags();
      a = BF16_FLAGS.stream().anyMatch(flags::contains) // and oneDNN's natives are shipped (not in the cuda build)
          && OneDnnMatmul.class.getClassLoader().getResource("org/bytedeco/dnnl/linux-x86_64/libjnidnnl.so") != null;
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
      throw new IllegalArgumentException("OneDnnMatmul needs a contiguous C-order bfloat16 weight; got "
          + w.dataType() + " " + w.shapeInfoToString() + ".");
    }
    if (x.dataType() != DataType.FLOAT || x.rank() != 2) {
      throw new IllegalArgumentException("OneDnnMatmul multiplies a float32 matrix; got " + x.dataType() + " rank "
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
      throw new IllegalArgumentException("OneDnnMatmul: x is [" + m + ", " + k + "] but the weight gives " + wk
          + " inputs.");
    }
    INDArray xb = Nd4j.createUninitialized(DataType.BFLOAT16, m, k); // x rounded, [M, K]
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, m, n); // [M, N]
    if (m == 0 || n == 0) {
      return y;
    }
    Prepared p = prepared(new Key(m, k, n, x.stride(0), transposeW, false));
    stream s = STREAMS.get();
    try (memory xm = new memory(p.x, cpu, address(x)); memory xbm = new memory(p.xb, cpu, address(xb));
        memory wm = new memory(p.w, cpu, address(w)); memory ym = new memory(p.y, cpu, address(y));
        memory sm = new memory(p.scratch, cpu); IntMemoryMap args = new IntMemoryMap()) {
      p.round.execute(s, xm, xbm);
      args.put(DNNL_ARG_SRC, xbm);
      args.put(DNNL_ARG_WEIGHTS, wm);
      args.put(DNNL_ARG_DST, ym);
      args.put(DNNL_ARG_SCRATCHPAD, sm);
      p.product.execute(s, args);
      s._wait(); // blocks until both primitives are done
    }
    return y;
  }

  /**
   * x·w (or x·wᵀ) with a float32 weight through the same oneDNN matmul (its {@code brg:avx512_core}
   * kernel): no rounding, float32 throughout.
   *
   * @param x [M, K] float32, rows contiguous
   * @param w float32 [K, N], or [N, K] when {@code transposeW}; C order, contiguous
   * @return [M, N] float32, in the active workspace
   */
  public static INDArray mmFloat(INDArray x, INDArray w, boolean transposeW) {
    if (w.dataType() != DataType.FLOAT || !contiguousC(w)) {
      throw new IllegalArgumentException("OneDnnMatmul.mmFloat needs a contiguous C-order float32 weight; got "
          + w.dataType() + " " + w.shapeInfoToString() + ".");
    }
    if (x.dataType() != DataType.FLOAT || x.rank() != 2) {
      throw new IllegalArgumentException("OneDnnMatmul.mmFloat multiplies a float32 matrix; got " + x.dataType()
          + " rank " + x.rank() + ".");
    }
    if (x.ordering() != 'c' || x.stride(1) != 1) {
      x = x.dup('c');
    }
    long m = x.size(0);
    long k = x.size(1);
    long n = transposeW ? w.size(0) : w.size(1);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, m, n); // [M, N]
    if (m == 0 || n == 0) {
      return y;
    }
    Prepared p = prepared(new Key(m, k, n, x.stride(0), transposeW, true));
    stream s = STREAMS.get();
    try (memory xm = new memory(p.x, cpu, address(x)); memory wm = new memory(p.w, cpu, address(w));
        memory ym = new memory(p.y, cpu, address(y)); memory sm = new memory(p.scratch, cpu);
        IntMemoryMap args = new IntMemoryMap()) {
      args.put(DNNL_ARG_SRC, xm);
      args.put(DNNL_ARG_WEIGHTS, wm);
      args.put(DNNL_ARG_DST, ym);
      args.put(DNNL_ARG_SCRATCHPAD, sm);
      p.product.execute(s, args);
      s._wait(); // blocks until the product is done
    }
    return y;
  }

  /** Whether {@code w} is a 2-D C-order matrix whose rows follow each other without gaps (not a view). */
  public static boolean contiguousC(INDArray w) {
    return w.rank() == 2 && w.ordering() == 'c' && w.stride(1) == 1 && w.stride(0) == w.size(1);
  }

  /** The shape of one call: x [m, k] with row stride {@code xRowStride}, n outputs, weight layout. */
  private record Key(long m, long k, long n, long xRowStride, boolean transposeW, boolean f32) {}

  /** Memory descriptors and the two primitives (round x to bf16, then the product) of one shape. */
  private record Prepared(memory.desc x, memory.desc xb, memory.desc w, memory.desc y, reorder round,
      matmul product, memory.desc scratch) {}

  private static Prepared prepared(Key key) {
    synchronized (PREPARED) {
      Prepared p = PREPARED.get(key);
      if (p == null) {
        engine e = engine();
        memory.desc x = new memory.desc(new long[] {key.m, key.k}, memory.data_type.f32, new long[] {key.xRowStride, 1});
        memory.desc xb = new memory.desc(new long[] {key.m, key.k}, memory.data_type.bf16, new long[] {key.k, 1});
        memory.desc w = new memory.desc(new long[] {key.k, key.n}, key.f32 ? memory.data_type.f32 : memory.data_type.bf16,
            key.transposeW ? new long[] {1, key.k} : new long[] {key.n, 1}); // stored [N, K] or [K, N]
        memory.desc y = new memory.desc(new long[] {key.m, key.n}, memory.data_type.f32, new long[] {key.n, 1});
        reorder round = key.f32 ? null : new reorder(new reorder.primitive_desc(e, x, e, xb));
        // A scratchpad per call, not oneDNN's shared one: tasks of one executor multiply concurrently, and
        // with the library's scratchpad two threads running one primitive overwrite each other's packing.
        primitive_attr attr = new primitive_attr();
        attr.set_scratchpad_mode(scratchpad_mode.user);
        matmul.primitive_desc pd = new matmul.primitive_desc(new matmul.desc(key.f32 ? x : xb, w, y), attr, e);
        p = new Prepared(x, xb, w, y, round, new matmul(pd), pd.scratchpad_desc());
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
