package org.lorafleet.trainer.quant;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 4-bit NormalFloat (QLoRA): groups of 64 consecutive values along the input dimension, one absmax
 * per group, each value stored as the index of the {@link Nf4Codebook} value nearest to
 * {@code w / absmax}; {@code ŵ = VALUES[code] * absmax}. The error is at most absmax times half the
 * gap between the two neighbouring table values (≤ 0.152 · absmax, the widest gap being
 * [-1, -0.696]). Codes are packed two per byte ({@link Nibbles}) in the stored layout, off-heap;
 * the absmax scales are fp32 or double-quantised.
 */
public final class Nf4Weight implements FrozenWeight {

  private static final int ZERO_CODE = 7; // VALUES[7] == 0

  private final Layout layout;
  private final INDArray codes; // UINT8 [rows * cols / 2], two codes per byte, stored layout
  private final GroupScales absmax; // [out, in/64] or [in/64, out], see Layout

  private Nf4Weight(Layout layout, INDArray codes, GroupScales absmax) {
    this.layout = layout;
    this.codes = codes;
    this.absmax = absmax;
  }

  /** Quantises the C-order float32 values {@code w}; the input dimension is a multiple of 64. */
  static Nf4Weight quantize(FloatBuffer w, Layout layout, boolean doubleQuant) {
    int cols = layout.cols();
    int bandLen = layout.bandRows() * cols; // even: 64 rows, or a row of a multiple of 64
    int perBand = layout.groupsPerBand();
    float[] scales = new float[layout.groups()];
    float[] band = new float[bandLen];
    byte[] q = new byte[bandLen];
    byte[] packed = new byte[bandLen / 2];
    INDArray codes = Codes.allocate(DataType.UINT8, layout.length() / 2);
    ByteBuffer out = codes.data().asNio();
    for (int b = 0; b < layout.bands(); b++) {
      w.get(b * bandLen, band, 0, bandLen);
      int first = b * perBand;
      for (int j = 0; j < bandLen; j++) {
        int g = first + layout.groupInBand(j % cols);
        scales[g] = Math.max(scales[g], Math.abs(band[j]));
      }
      for (int j = 0; j < bandLen; j++) {
        float a = scales[first + layout.groupInBand(j % cols)];
        q[j] = (byte) (a == 0f ? ZERO_CODE : Nf4Codebook.nearest((double) band[j] / a));
      }
      Nibbles.pack(q, bandLen, packed);
      out.put(b * (bandLen / 2), packed, 0, bandLen / 2);
    }
    return new Nf4Weight(layout, codes, GroupScales.of(scales, doubleQuant));
  }

  /** True when the absmax scales are stored in 8 bits. */
  public boolean doubleQuantized() {
    return absmax.doubleQuantized();
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
      absmax.read(r * perRow, s, perRow);
      for (int g = 0; g < perRow; g++) {
        for (int k = 0; k < 16; k++) {
          lut[k] = Nf4Codebook.VALUES[k] * s[g];
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

  /** [in, out]: 64 rows share one row of scales, one per column. */
  private void decodeInOut(int from, int to, FloatBuffer out) {
    int cols = layout.cols();
    ByteBuffer in = codes.data().asNio();
    byte[] packed = new byte[cols / 2 + 1];
    float[] table = Nf4Codebook.VALUES;
    float[] s = new float[cols];
    float[] row = new float[cols];
    int band = -1;
    for (int r = from; r < to; r++) {
      if (r / Layout.GROUP != band) {
        band = r / Layout.GROUP;
        absmax.read(band * cols, s, cols);
      }
      int first = r * cols; // flat index of the row's first value; odd when cols is odd
      in.get(first >> 1, packed, 0, Nibbles.span(first, cols));
      int c = 0;
      int b = 0;
      if ((first & 1) == 1) { // the row starts in a high nibble
        row[c++] = table[packed[b++] >> 4 & 15] * s[0];
      }
      for (; c + 1 < cols; c += 2, b++) {
        int two = packed[b];
        row[c] = table[two & 15] * s[c];
        row[c + 1] = table[two >> 4 & 15] * s[c + 1];
      }
      if (c < cols) {
        row[c] = table[packed[b] & 15] * s[c];
      }
      out.put(first, row, 0, cols);
    }
  }

  @Override
  public long bytes() {
    return layout.length() / 2 + absmax.bytes();
  }

  @Override
  public String form() {
    return Quantization.NF4.configName();
  }
}
