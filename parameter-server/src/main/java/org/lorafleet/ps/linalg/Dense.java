package org.lorafleet.ps.linalg;

/**
 * Row-major dense matrices in double precision, as {@link FactoredSvd} takes and returns them. Plain
 * arrays, no views; all methods return new arrays and leave their arguments alone.
 */
public final class Dense {

  private Dense() {}

  /** A row-major {@code rows × cols} matrix. */
  public record Matrix(int rows, int cols, double[] a) {
    public Matrix {
      if (rows < 0 || cols < 0 || a.length != (long) rows * cols) {
        throw new IllegalArgumentException("A " + rows + "×" + cols + " matrix needs " + ((long) rows * cols)
            + " values, got " + a.length + ".");
      }
    }

    public static Matrix zeros(int rows, int cols) {
      return new Matrix(rows, cols, new double[rows * cols]);
    }

    public double get(int i, int j) {
      return a[i * cols + j];
    }

    public void set(int i, int j, double v) {
      a[i * cols + j] = v;
    }

    public Matrix transpose() {
      double[] t = new double[a.length];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          t[j * rows + i] = a[i * cols + j];
        }
      }
      return new Matrix(cols, rows, t);
    }

    /** {@code this × other}. */
    public Matrix times(Matrix other) {
      if (cols != other.rows) {
        throw new IllegalArgumentException("Cannot multiply a " + rows + "×" + cols + " matrix by a "
            + other.rows + "×" + other.cols + " matrix.");
      }
      double[] c = new double[rows * other.cols];
      for (int i = 0; i < rows; i++) {
        for (int k = 0; k < cols; k++) {
          double aik = a[i * cols + k];
          if (aik == 0) {
            continue;
          }
          int ob = k * other.cols;
          int cb = i * other.cols;
          for (int j = 0; j < other.cols; j++) {
            c[cb + j] += aik * other.a[ob + j];
          }
        }
      }
      return new Matrix(rows, other.cols, c);
    }
  }
}
