package org.lorafleet.ps.linalg;

import org.lorafleet.ps.linalg.Dense.Matrix;

/**
 * The hand-written truncated SVD that {@link FactoredSvd} used before it moved to EJML: Householder QR
 * and a one-sided Jacobi SVD of the core. Kept in test code only, as the baseline of
 * {@code bench/linalg-bench.sh} and a second implementation for {@link FactoredSvdAccuracyTest}
 * (docs/benchmarks.md, "Truncated SVD: hand-written against EJML").
 */
public final class HandWrittenSvd {

  private HandWrittenSvd() {}

  public static FactoredSvd.Factors truncate(Matrix p, Matrix q, int rank) {
    if (p.cols() != q.rows()) {
      throw new IllegalArgumentException("Factor shapes " + p.rows() + "×" + p.cols() + " and " + q.rows() + "×"
          + q.cols() + " cannot be multiplied.");
    }
    if (rank < 1) {
      throw new IllegalArgumentException("The target rank must be at least 1, got " + rank + ".");
    }
    int m = p.rows();
    int n = q.cols();
    Qr qp = qr(p);
    Qr qq = qr(q.transpose());
    Matrix core = qp.r().times(qq.r().transpose());
    Svd svd = svd(core);
    Matrix u = qp.q().times(svd.u());
    Matrix v = qq.q().times(svd.v());
    double[] s = svd.s();
    Matrix b = Matrix.zeros(m, rank);
    Matrix a = Matrix.zeros(rank, n);
    for (int j = 0; j < rank; j++) {
      double sigma = j < s.length ? s[j] : 0;
      if (sigma > 0) {
        double root = Math.sqrt(sigma);
        for (int i = 0; i < m; i++) {
          b.set(i, j, u.get(i, j) * root);
        }
        for (int i = 0; i < n; i++) {
          a.set(j, i, v.get(i, j) * root);
        }
      } else if (j < v.cols()) {
        for (int i = 0; i < n; i++) {
          a.set(j, i, v.get(i, j));
        }
      }
    }
    return new FactoredSvd.Factors(b, a, s);
  }

  /** A thin QR factorisation {@code M = Q R}: Q is {@code m × p} with orthonormal columns, R is {@code p × n}, p = min(m, n). */
  public record Qr(Matrix q, Matrix r) {}

  /**
   * Householder QR of an {@code m × n} matrix. Cost O(2·m·n·p) flops with p = min(m, n). Works for
   * rank-deficient input (R then has zero rows at the end of its diagonal).
   */
  public static Qr qr(Matrix m) {
    int rows = m.rows();
    int cols = m.cols();
    int p = Math.min(rows, cols);
    double[] r = m.a().clone();
    double[][] vs = new double[p][];
    for (int k = 0; k < p; k++) {
      double norm = 0;
      for (int i = k; i < rows; i++) {
        norm += r[i * cols + k] * r[i * cols + k];
      }
      norm = Math.sqrt(norm);
      double[] v = new double[rows - k];
      if (norm == 0) {
        vs[k] = v; // nothing to eliminate: identity reflector
        continue;
      }
      double x0 = r[k * cols + k];
      double alpha = x0 >= 0 ? -norm : norm;
      for (int i = k; i < rows; i++) {
        v[i - k] = r[i * cols + k];
      }
      v[0] -= alpha;
      double vnorm2 = 0;
      for (double x : v) {
        vnorm2 += x * x;
      }
      if (vnorm2 == 0) {
        vs[k] = new double[rows - k];
        continue;
      }
      double scale = 2 / vnorm2;
      for (int j = k; j < cols; j++) {
        double dot = 0;
        for (int i = k; i < rows; i++) {
          dot += v[i - k] * r[i * cols + j];
        }
        dot *= scale;
        for (int i = k; i < rows; i++) {
          r[i * cols + j] -= dot * v[i - k];
        }
      }
      for (int i = k + 1; i < rows; i++) {
        r[i * cols + k] = 0;
      }
      for (int i = 0; i < v.length; i++) {
        v[i] *= Math.sqrt(scale); // store the reflector normalised so that H = I - v vᵀ
      }
      vs[k] = v;
    }
    // Q = H_0 H_1 … H_{p-1} applied to the first p columns of the identity.
    double[] q = new double[rows * p];
    for (int j = 0; j < p; j++) {
      q[j * p + j] = 1;
    }
    for (int k = p - 1; k >= 0; k--) {
      double[] v = vs[k];
      for (int j = 0; j < p; j++) {
        double dot = 0;
        for (int i = k; i < rows; i++) {
          dot += v[i - k] * q[i * p + j];
        }
        if (dot == 0) {
          continue;
        }
        for (int i = k; i < rows; i++) {
          q[i * p + j] -= dot * v[i - k];
        }
      }
    }
    double[] rp = new double[p * cols];
    System.arraycopy(r, 0, rp, 0, p * cols);
    return new Qr(new Matrix(rows, p, q), new Matrix(p, cols, rp));
  }

  /** A thin SVD {@code M = U diag(s) Vᵀ} with singular values in descending order. */
  public record Svd(Matrix u, double[] s, Matrix v) {}

  /**
   * One-sided Jacobi (Hestenes) SVD of an {@code m × n} matrix. Each sweep costs O(m·n²) (on the
   * transpose when m &lt; n); it converges quadratically, in well under 30 sweeps for the sizes used
   * here. Accurate to working precision, including tiny singular values.
   */
  public static Svd svd(Matrix m) {
    if (m.rows() < m.cols()) {
      Svd t = svd(m.transpose());
      return new Svd(t.v(), t.s(), t.u());
    }
    int rows = m.rows();
    int n = m.cols();
    // Work on columns: store G column-major for cache-friendly column rotations.
    double[][] g = new double[n][rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < n; j++) {
        g[j][i] = m.get(i, j);
      }
    }
    double[][] v = new double[n][n];
    for (int j = 0; j < n; j++) {
      v[j][j] = 1;
    }
    final double tol = 1e-15;
    for (int sweep = 0; sweep < 60; sweep++) {
      boolean rotated = false;
      for (int i = 0; i < n - 1; i++) {
        for (int j = i + 1; j < n; j++) {
          double alpha = dot(g[i], g[i]);
          double beta = dot(g[j], g[j]);
          double gamma = dot(g[i], g[j]);
          if (gamma == 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) {
            continue;
          }
          rotated = true;
          double zeta = (beta - alpha) / (2 * gamma);
          double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
          if (zeta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(1 + t * t);
          double s = c * t;
          rotate(g[i], g[j], c, s);
          rotate(v[i], v[j], c, s);
        }
      }
      if (!rotated) {
        break;
      }
    }
    double[] sigma = new double[n];
    for (int j = 0; j < n; j++) {
      sigma[j] = Math.sqrt(dot(g[j], g[j]));
    }
    Integer[] order = new Integer[n];
    for (int j = 0; j < n; j++) {
      order[j] = j;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(sigma[y], sigma[x]));
    Matrix u = Matrix.zeros(rows, n);
    Matrix vv = Matrix.zeros(n, n);
    double[] s = new double[n];
    for (int k = 0; k < n; k++) {
      int j = order[k];
      s[k] = sigma[j];
      for (int i = 0; i < rows; i++) {
        u.set(i, k, sigma[j] > 0 ? g[j][i] / sigma[j] : 0);
      }
      for (int i = 0; i < n; i++) {
        vv.set(i, k, v[j][i]);
      }
    }
    return new Svd(u, s, vv);
  }

  private static double dot(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  private static void rotate(double[] x, double[] y, double c, double s) {
    for (int i = 0; i < x.length; i++) {
      double xi = x[i];
      double yi = y[i];
      x[i] = c * xi - s * yi;
      y[i] = s * xi + c * yi;
    }
  }
}
