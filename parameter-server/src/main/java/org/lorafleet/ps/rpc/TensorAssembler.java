package org.lorafleet.ps.rpc;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.TensorSpec;
import org.lorafleet.ps.rpc.proto.TensorChunk;

/**
 * Rebuilds tensors from chunks that arrive in order, checking each chunk as it comes: known name,
 * expected shape, contiguous offsets within the tensor, whole floats. With specs, only those names
 * and shapes are accepted (server side); without, the first chunk of a tensor fixes its shape.
 * Not thread-safe (one stream).
 */
public final class TensorAssembler {

  private final Map<String, TensorSpec> specs;
  private final String what;
  private final java.util.function.IntFunction<float[]> allocate;
  private final Map<String, float[]> arrays = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, Integer> filled = new LinkedHashMap<>();
  private long bytes;

  /**
   * @param specs accepted tensors, or null to accept any
   * @param what what is being assembled, for messages ("worker 'w3''s push")
   */
  public TensorAssembler(Map<String, TensorSpec> specs, String what) {
    this(specs, what, float[]::new);
  }

  /** @param allocate where the arrays of received tensors come from (e.g. the server's recycled ones) */
  public TensorAssembler(Map<String, TensorSpec> specs, String what, java.util.function.IntFunction<float[]> allocate) {
    this.specs = specs;
    this.what = what;
    this.allocate = allocate;
  }

  public void accept(TensorChunk c) {
    String name = c.getName();
    long[] shape = c.getShapeList().stream().mapToLong(Long::longValue).toArray();
    float[] arr = arrays.get(name);
    if (arr == null) {
      if (specs != null) {
        TensorSpec spec = specs.get(name);
        if (spec == null) {
          throw new PsException(Refusal.UNKNOWN_TENSOR, "The " + what + " names tensor '" + name
              + "', which is not part of the job.");
        }
        if (!Arrays.equals(spec.shape(), shape)) {
          throw new PsException(Refusal.WRONG_SHAPE, "The " + what + " sends tensor '" + name + "' with shape "
              + Arrays.toString(shape) + "; the job has it as " + spec.shapeString() + ".");
        }
      }
      try {
        arr = allocate.apply(Math.toIntExact(FloatTensor.numel(shape)));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new PsException(Refusal.WRONG_SHAPE, "The " + what + " sends tensor '" + name + "' with invalid shape "
            + Arrays.toString(shape) + ".");
      }
      arrays.put(name, arr);
      shapes.put(name, shape);
      filled.put(name, 0);
    } else if (!Arrays.equals(shapes.get(name), shape)) {
      throw new PsException(Refusal.WRONG_SHAPE, "The " + what + " sends chunks of tensor '" + name
          + "' with shapes " + Arrays.toString(shapes.get(name)) + " and " + Arrays.toString(shape) + ".");
    }
    int size = c.getData().size();
    if (size % Float.BYTES != 0) {
      throw new PsException(Refusal.MALFORMED, "The " + what + " sends a chunk of tensor '" + name + "' of " + size
          + " bytes, not a whole number of float32 values.");
    }
    int have = filled.get(name);
    if (c.getOffset() != have) {
      throw new PsException(Refusal.MALFORMED, "The " + what + " sends tensor '" + name + "' from element "
          + c.getOffset() + " while element " + have + " was expected next; chunks must arrive in order.");
    }
    int n = size / Float.BYTES;
    if ((long) have + n > arr.length) {
      throw new PsException(Refusal.WRONG_SHAPE, "The " + what + " sends " + ((long) have + n) + " values for tensor '"
          + name + "', which has " + arr.length + ".");
    }
    TensorCodec.decode(c.getData(), arr, have);
    filled.put(name, have + n);
    bytes += size;
  }

  /** Payload bytes accepted so far. */
  public long bytes() {
    return bytes;
  }

  /**
   * The complete tensors, in spec order (or arrival order without specs). Throws if a tensor is
   * incomplete, or, with specs and {@code requireAll}, missing.
   */
  public Map<String, FloatTensor> finish(boolean requireAll) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    if (specs != null && requireAll) {
      for (String name : specs.keySet()) {
        if (!arrays.containsKey(name)) {
          throw new PsException(Refusal.MISSING_TENSOR, "The " + what + " lacks tensor '" + name + "'.");
        }
      }
    }
    Iterable<String> order = specs != null ? specs.keySet() : arrays.keySet();
    for (String name : order) {
      float[] arr = arrays.get(name);
      if (arr == null) {
        continue;
      }
      if (filled.get(name) != arr.length) {
        throw new PsException(Refusal.MISSING_TENSOR, "The " + what + " sent " + filled.get(name) + " of the "
            + arr.length + " values of tensor '" + name + "'.");
      }
      out.put(name, new FloatTensor(shapes.get(name), arr));
    }
    return out;
  }
}
