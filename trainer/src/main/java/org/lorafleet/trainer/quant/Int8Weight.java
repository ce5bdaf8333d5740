package org.lorafleet.trainer.quant;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Symmetric int8 with one scale per output channel: {@code scale = absmax / 127} over the channel,
 * {@code q = round(w / scale)} in [-127, 127], {@code ŵ = q * scale}, so {@code |w - ŵ| <= scale / 2}.
 * The output channel is a row of an [out, in] weight and a column of an [in, out] one. Codes are
 * kept off-heap in the stored layout; an all-zero channel has scale 0 and decodes to zeros.
 */
public final class Int8Weight implements FrozenWeight {

  private final Layout layout;
  private final INDArray codes; // INT8 [rows * cols], the stored layout in C order
  private final float[] scales; // [out]

  private Int8Weight(Layout layout, INDArray codes, float[] scales) {
    this.layout = layout;
    this.codes = codes;
    this.scales = scales;
  }

  /** Quantises the C-order float32 values {@code w} of a weight with this layout. */
  static Int8Weight quantize(FloatBuffer w, Layout layout) {
    int rows = layout.rows();
    int cols = layout.cols();
    float[] scales = new float[layout.outDim()];
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) { // absmax per channel
      w.get(r * cols, row, 0, cols);
      for (int c = 0; c < cols; c++) {
        int ch = layout.inOut() ? c : r;
        scales[ch] = Math.max(scales[ch], Math.abs(row[c]));
      }
    }
    for (int ch = 0; ch < scales.length; ch++) {
      scales[ch] /= 127f;
    }
    INDArray codes = Codes.allocate(DataType.INT8, layout.length());
    ByteBuffer out = codes.data().asNio();
    byte[] q = new byte[cols];
    for (int r = 0; r < rows; r++) {
      w.get(r * cols, row, 0, cols);
      for (int c = 0; c < cols; c++) {
        float s = scales[layout.inOut() ? c : r];
        q[c] = s == 0f ? 0 : (byte) Math.max(-127, Math.min(127, Math.round(row[c] / s)));
      }
      out.put(r * cols, q, 0, cols);
    }
    return new Int8Weight(layout, codes, scales);
  }

  @Override
  public long[] shape() {
    return layout.shape();
  }

  @Override
  public INDArray toFloat() {
    return toFloat(Dequant.THREADS);
  }

  /** {@link #toFloat()} on at most {@code threads} threads (benchmarks). */
  INDArray toFloat(int threads) {
    return Dequant.toFloat(layout, layout.inOut() ? this::decodeInOut : this::decodeOutIn, threads);
  }

  /** [out, in]: one scale per row. */
  private void decodeOutIn(int from, int to, FloatBuffer out) {
    int cols = layout.cols();
    ByteBuffer in = codes.data().asNio();
    byte[] q = new byte[cols];
    float[] row = new float[cols];
    for (int r = from; r < to; r++) {
      in.get(r * cols, q, 0, cols);
      float s = scales[r];
      for (int c = 0; c < cols; c++) {
        row[c] = q[c] * s;
      }
      out.put(r * cols, row, 0, cols);
    }
  }

  /** [in, out]: one scale per column. */
  private void decodeInOut(int from, int to, FloatBuffer out) {
    int cols = layout.cols();
    ByteBuffer in = codes.data().asNio();
    byte[] q = new byte[cols];
    float[] row = new float[cols];
    for (int r = from; r < to; r++) {
      in.get(r * cols, q, 0, cols);
      for (int c = 0; c < cols; c++) {
        row[c] = q[c] * scales[c];
      }
      out.put(r * cols, row, 0, cols);
    }
  }

  @Override
  public long bytes() {
    return layout.length() + 4L * scales.length;
  }

  @Override
  public String form() {
    return Quantization.INT8.configName();
  }
}
