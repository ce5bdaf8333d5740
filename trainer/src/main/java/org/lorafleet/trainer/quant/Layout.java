package org.lorafleet.trainer.quant;

/**
 * Stored shape [rows, cols] and which axis is the input: [out, in] (nn.Linear, {@code inOut}
 * false) or [in, out] (GPT-2 Conv1D, {@code inOut} true). Quantised forms keep the stored layout,
 * so dequantising needs no transpose.
 *
 * <p>Groups of {@link #GROUP} values run along the input dimension. Rows are processed in bands
 * whose groups do not leave the band: one row for [out, in] (the row's groups are its column
 * ranges of 64), 64 rows for [in, out] (one group per column). Group g of band b has the global
 * index {@code b * groupsPerBand() + g}, i.e. the scales are row-major [out, in/64] resp. [in/64, out].
 */
record Layout(int rows, int cols, boolean inOut) {

  /** Values per 4-bit group along the input dimension. */
  static final int GROUP = Quantizer.GROUP_SIZE;

  int outDim() {
    return inOut ? cols : rows;
  }

  int inDim() {
    return inOut ? rows : cols;
  }

  int length() {
    return rows * cols;
  }

  long[] shape() {
    return new long[] {rows, cols};
  }

  /** Rows per band: 64 for [in, out], 1 for [out, in]. */
  int bandRows() {
    return inOut ? GROUP : 1;
  }

  int bands() {
    return rows / bandRows();
  }

  int groupsPerBand() {
    return inOut ? cols : cols / GROUP;
  }

  int groups() {
    return bands() * groupsPerBand();
  }

  /** The group, within its band, of a value in column {@code col}. */
  int groupInBand(int col) {
    return inOut ? col : col / GROUP;
  }
}
