package org.lorafleet.ps.linalg;

import org.lorafleet.ps.linalg.Dense.Matrix;

/**
 * How far a rank-r factorisation {@code B·A} is from {@code W = P·Q}, without forming the m×n matrices:
 * {@code ‖X·Y‖²_F = trace((XᵀX)·(YYᵀ))} with {@code X = [P, −B]} and {@code Y = [Q; A]}, so the cost is
 * O((m + n)·(k + r)²). Test code only.
 */
public final class FactoredError {

  private FactoredError() {}

  /** {@code ‖P·Q − B·A‖_F / ‖P·Q‖_F}. */
  public static double relative(Matrix p, Matrix q, Matrix b, Matrix a) {
    Matrix x = concatColumns(p, negate(b)); // [m, k + r]
    Matrix y = concatRows(q, a); // [k + r, n]
    double diff = traceOfProduct(gram(x.transpose()), gram(y));
    double norm = traceOfProduct(gram(p.transpose()), gram(q));
    return Math.sqrt(Math.max(diff, 0) / norm);
  }

  /** The best possible relative error at rank r (Eckart–Young), from W's singular values. */
  public static double optimal(double[] singularValues, int rank) {
    double tail = 0;
    double all = 0;
    for (int i = 0; i < singularValues.length; i++) {
      double s2 = singularValues[i] * singularValues[i];
      all += s2;
      if (i >= rank) {
        tail += s2;
      }
    }
    return Math.sqrt(tail / all);
  }

  /** {@code M·Mᵀ} of a {@code rows × cols} matrix: [rows, rows]. */
  private static Matrix gram(Matrix m) {
    int r = m.rows();
    int c = m.cols();
    double[] g = new double[r * r];
    double[] a = m.a();
    for (int i = 0; i < r; i++) {
      for (int j = i; j < r; j++) {
        double s = 0;
        for (int t = 0; t < c; t++) {
          s += a[i * c + t] * a[j * c + t];
        }
        g[i * r + j] = s;
        g[j * r + i] = s;
      }
    }
    return new Matrix(r, r, g);
  }

  /** trace(G·H) of two symmetric matrices of the same size = Σ G∘H. */
  private static double traceOfProduct(Matrix g, Matrix h) {
    double s = 0;
    for (int i = 0; i < g.a().length; i++) {
      s += g.a()[i] * h.a()[i];
    }
    return s;
  }

  private static Matrix negate(Matrix m) {
    double[] a = m.a().clone();
    for (int i = 0; i < a.length; i++) {
      a[i] = -a[i];
    }
    return new Matrix(m.rows(), m.cols(), a);
  }

  private static Matrix concatColumns(Matrix l, Matrix r) {
    Matrix out = Matrix.zeros(l.rows(), l.cols() + r.cols());
    for (int i = 0; i < l.rows(); i++) {
      System.arraycopy(l.a(), i * l.cols(), out.a(), i * out.cols(), l.cols());
      System.arraycopy(r.a(), i * r.cols(), out.a(), i * out.cols() + l.cols(), r.cols());
    }
    return out;
  }

  private static Matrix concatRows(Matrix t, Matrix b) {
    double[] a = new double[t.a().length + b.a().length];
    System.arraycopy(t.a(), 0, a, 0, t.a().length);
    System.arraycopy(b.a(), 0, a, t.a().length, b.a().length);
    return new Matrix(t.rows() + b.rows(), t.cols(), a);
  }
}
