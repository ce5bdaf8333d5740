package org.lorafleet.trainer.quant;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain asymmetric int4: groups of 64 consecutive values along the input dimension, each with
 * {@code scale = (max - min) / 15} and an integer zero point {@code z = round(-min / scale)};
 * {@code q = clamp(round(w / scale) + z, 0, 15)}, {@code ŵ = (q - z) * scale}, so
 * {@code |w - ŵ| <= scale / 2}. The group's range is widened to include 0 (as GPTQ does), which
 * keeps z in [0, 15] and makes 0 exact. Codes are packed two per byte ({@link Nibbles}) in the
 * stored layout, off-heap; zero points take one byte per group; scales are fp32 or
 * double-quantised. An all-zero group has scale 0 and decodes to zeros.
 */
public final class Int4Weight implements FrozenWeight {

  private final Layout layout;
  private final INDArray codes; // UINT8 [rows * cols / 2], two codes per byte, stored layout
  private final GroupScales scales; // [out, in/64] or [in/64, out], see Layout
  private final byte[] zeros; // zero points in [0, 15], same order as the scales

  private Int4Weight(Layout layout, INDArray codes, GroupScales scales, byte[] zeros) {
    this.layout = layout;
    this.codes = codes;
    this.scales = scales;
    this.zeros = zeros;
  }

  /** Quantises the C-order float32 values {@code w}; the input dimension is a multiple of 64. */
  static Int4Weight quantize(FloatBuffer w, Layout layout, boolean doubleQuant) {
    int cols = layout.cols();
    int bandLen = layout.bandRows() * cols; // even: 64 rows, or a row of a multiple of 64
    int perBand = layout.groupsPerBand();
    float[] scale = new float[layout.groups()];
    byte[] zeros = new byte[layout.groups()];
    float[] min = new float[perBand];
    float[] max = new float[perBand];
    float[] band = new float[bandLen];
    byte[] q = new byte[bandLen];
    byte[] packed = new byte[bandLen / 2];
    INDArray codes = Codes.allocate(DataType.UINT8, layout.length() / 2);
    ByteBuffer out = codes.data().asNio();
    for (int b = 0; b < layout.bands(); b++) {
      w.get(b * bandLen, band, 0, bandLen);
      Arrays.fill(min, 0f); // the range always includes 0
      Arrays.fill(max, 0f);
      for (int j = 0; j < bandLen; j++) {
        int g = layout.groupInBand(j % cols);
        min[g] = Math.min(min[g], band[j]);
        max[g] = Math.max(max[g], band[j]);
      }
      int first = b * perBand;
      for (int g = 0; g < perBand; g++) {
        float s = (max[g] - min[g]) / 15f;
        scale[first + g] = s;
        zeros[first + g] = (byte) (s > 0f ? clamp(Math.round(-min[g] / s)) : 0);
      }
      for (int j = 0; j < bandLen; j++) {
        int g = first + layout.groupInBand(j % cols);
        float s = scale[g];
        q[j] = (byte) (s > 0f ? clamp(Math.round(band[j] / s) + zeros[g]) : zeros[g]);
      }
      Nibbles.pack(q, bandLen, packed);
      out.put(b * (bandLen / 2), packed, 0, bandLen / 2);
    }
    return new Int4Weight(layout, codes, GroupScales.of(scale, doubleQuant), zeros);
  }

  private static int clamp(int code) {
    return Math.max(0, Math.min(15, code));
  }

  /** True when the group scales are stored in 8 bits. */
  public boolean doubleQuantized() {
    return scales.doubleQuantized();
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

  /** [out, in]: a row is in/64 whole groups, 32 bytes each. */
  private void decodeOutIn(int from, int to, FloatBuffer out) {
    int cols = layout.cols();
    int perRow = cols / Layout.GROUP;
    ByteBuffer in = codes.data().asNio();
    byte[] packed = new byte[cols / 2];
    float[] s = new float[perRow];
    float[] lut = new float[16];
    float[] row = new float[cols];
    for (int r = from; r < to; r++) {
      in.get(r * (cols / 2), packed, 0, cols / 2);
      scales.read(r * perRow, s, perRow);
      for (int g = 0; g < perRow; g++) {
        int z = zeros[r * perRow + g];
        for (int k = 0; k < 16; k++) {
          lut[k] = (k - z) * s[g];
        }
        int v = g * Layout.GROUP;
        for (int b = v / 2, end = b + Layout.GROUP / 2; b < end; b++, v += 2) {
          int two = packed[b];
          row[v] = lut[two & 15];
          row[v + 1] = lut[two >> 4 & 15];
        }
      }
      out.put(r * cols, row, 0, cols);
    }
  }

  /** [in, out]: 64 rows share one row of scales and zero points, one per column. */
  private void decodeInOut(int from, int to, FloatBuffer out) {
    int cols = layout.cols();
    ByteBuffer in = codes.data().asNio();
    byte[] packed = new byte[cols / 2 + 1];
    float[] s = new float[cols];
    float[] row = new float[cols];
    int band = -1;
    for (int r = from; r < to; r++) {
      if (r / Layout.GROUP != band) {
        band = r / Layout.GROUP;
        scales.read(band * cols, s, cols);
      }
      int zeroAt = band * cols;
      int first = r * cols; // flat index of the row's first value; odd when cols is odd
      in.get(first >> 1, packed, 0, Nibbles.span(first, cols));
      int c = 0;
      int b = 0;
      if ((first & 1) == 1) { // the row starts in a high nibble
        row[c++] = ((packed[b++] >> 4 & 15) - zeros[zeroAt]) * s[0];
      }
      for (; c + 1 < cols; c += 2, b++) {
        int two = packed[b];
        row[c] = ((two & 15) - zeros[zeroAt + c]) * s[c];
        row[c + 1] = ((two >> 4 & 15) - zeros[zeroAt + c + 1]) * s[c + 1];
      }
      if (c < cols) {
        row[c] = ((packed[b] & 15) - zeros[zeroAt + c]) * s[c];
      }
      out.put(first, row, 0, cols);
    }
  }

  @Override
  public long bytes() {
    return layout.length() / 2 + scales.bytes() + zeros.length;
  }

  @Override
  public String form() {
    return Quantization.INT4.configName();
  }
}
