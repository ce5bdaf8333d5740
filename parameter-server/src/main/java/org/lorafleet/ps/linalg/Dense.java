package org.lorafleet.ps.linalg;

/**
 * Row-major dense matrices in double precision: the few operations {@link FactoredSvd} needs.
 * Plain arrays, no views; all methods return new arrays and leave their arguments alone.
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
