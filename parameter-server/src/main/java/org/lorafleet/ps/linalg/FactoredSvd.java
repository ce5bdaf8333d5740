package org.lorafleet.ps.linalg;

import org.lorafleet.ps.linalg.Dense.Matrix;

/**
 * Best rank-r approximation of a product {@code W = P·Q} of two thin factors ({@code P}: m×k,
 * {@code Q}: k×n, k small), returned again as two factors {@code B} (m×r) and {@code A} (r×n) with
 * {@code B·A ≈ W}, without ever forming the m×n matrix W.
 *
 * <p>Method: thin QR of both factors, {@code P = Qp·Rp} and {@code Qᵀ = Qq·Rq}, so that
 * {@code W = Qp·(Rp·Rqᵀ)·Qqᵀ}; a one-sided Jacobi SVD of the small core {@code Rp·Rqᵀ}
 * ({@code ≤ k×k}) gives {@code Uc·S·Vcᵀ}; then {@code U = Qp·Uc}, {@code V = Qq·Vc}, and the top r
 * singular triplets are split evenly: {@code B = U_r·√S_r}, {@code A = √S_r·V_rᵀ}.
 *
 * <p>Cost: O(2·(m + n)·k²) for the two QRs, O(sweeps·k³) for the Jacobi SVD (typically 6–12
 * sweeps), O((m + n)·k·r) to form the factors; memory O((m + n)·k). For the LoRA use, k = N·r with N
 * workers: e.g. N = 16, r = 8, m = n = 768 gives k = 128: about 0.05 GFLOP for the QRs and, at
 * 6·k flops per column pair and k²/2 pairs per sweep, about 0.05 GFLOP per Jacobi sweep, i.e.
 * roughly 0.5 GFLOP (well under a second) per LoRA pair and round.
 *
 * <p>Directions with a zero singular value (when W has rank below r) get a zero column in B and a
 * unit row in A taken from the orthonormal complement when one is available, so that B·A is still
 * exact and A keeps non-degenerate rows (a zero row of A would never receive a gradient again).
 */
public final class FactoredSvd {

  private FactoredSvd() {}

  /** The factors {@code B} (m×r) and {@code A} (r×n), and the singular values of W in descending order. */
  public record Factors(Matrix b, Matrix a, double[] singularValues) {}

  public static Factors truncate(Matrix p, Matrix q, int rank) {
    if (p.cols() != q.rows()) {
      throw new IllegalArgumentException("Factor shapes " + p.rows() + "×" + p.cols() + " and " + q.rows() + "×"
          + q.cols() + " cannot be multiplied.");
    }
    if (rank < 1) {
      throw new IllegalArgumentException("The target rank must be at least 1, got " + rank + ".");
    }
    int m = p.rows();
    int n = q.cols();
    Dense.Qr qp = Dense.qr(p);
    Dense.Qr qq = Dense.qr(q.transpose());
    Matrix core = qp.r().times(qq.r().transpose());
    Dense.Svd svd = Dense.svd(core);
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
    return new Factors(b, a, s);
  }
}
