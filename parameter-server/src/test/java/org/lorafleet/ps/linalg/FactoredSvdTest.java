package org.lorafleet.ps.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lorafleet.ps.linalg.Dense.Matrix;

/**
 * {@link FactoredSvd} on small cases with known answers (exact low-rank products, a diagonal, a zero
 * product), and the hand-written QR and Jacobi SVD kept as the benchmark baseline ({@link HandWrittenSvd}).
 */
class FactoredSvdTest {

  private static Matrix random(SplittableRandom r, int rows, int cols) {
    double[] a = new double[rows * cols];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble(-1, 1);
    }
    return new Matrix(rows, cols, a);
  }

  private static void assertClose(Matrix expected, Matrix actual, double tol) {
    assertEquals(expected.rows(), actual.rows());
    assertEquals(expected.cols(), actual.cols());
    assertArrayEquals(expected.a(), actual.a(), tol);
  }

  @Test
  void qrReconstructsAndIsOrthonormalAlsoWhenRankDeficient() {
    SplittableRandom r = new SplittableRandom(1);
    Matrix m = random(r, 7, 4);
    // Make column 3 a combination of columns 0 and 1: rank 3.
    for (int i = 0; i < 7; i++) {
      m.set(i, 3, 2 * m.get(i, 0) - m.get(i, 1));
    }
    HandWrittenSvd.Qr qr = HandWrittenSvd.qr(m);
    assertClose(m, qr.q().times(qr.r()), 1e-12);
    Matrix qtq = qr.q().transpose().times(qr.q());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(i == j ? 1.0 : 0.0, qtq.get(i, j), 1e-12);
      }
    }
    for (int i = 1; i < 4; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(0.0, qr.r().get(i, j));
      }
    }
  }

  @Test
  void jacobiSvdMatchesHandComputedSingularValues() {
    // [[3, 0], [4, 5]] has singular values 3·√5 and √5 (A·Aᵀ eigenvalues 45 and 5).
    HandWrittenSvd.Svd svd = HandWrittenSvd.svd(new Matrix(2, 2, new double[] {3, 0, 4, 5}));
    assertEquals(3 * Math.sqrt(5), svd.s()[0], 1e-12);
    assertEquals(Math.sqrt(5), svd.s()[1], 1e-12);
    Matrix us = svd.u().times(new Matrix(2, 2, new double[] {svd.s()[0], 0, 0, svd.s()[1]}));
    assertClose(new Matrix(2, 2, new double[] {3, 0, 4, 5}), us.times(svd.v().transpose()), 1e-12);
  }

  @Test
  void wideMatrixSvdReconstructs() {
    Matrix m = random(new SplittableRandom(2), 3, 8);
    HandWrittenSvd.Svd svd = HandWrittenSvd.svd(m);
    double[] s = svd.s();
    Matrix sm = Matrix.zeros(s.length, s.length);
    for (int i = 0; i < s.length; i++) {
      sm.set(i, i, s[i]);
    }
    assertClose(m, svd.u().times(sm).times(svd.v().transpose()), 1e-12);
  }

  @Test
  void truncationOfALowRankProductIsExact() {
    SplittableRandom r = new SplittableRandom(3);
    Matrix p = random(r, 9, 3);
    Matrix q = random(r, 3, 6);
    FactoredSvd.Factors f = FactoredSvd.truncate(p, q, 3);
    assertClose(p.times(q), f.b().times(f.a()), 1e-12);
  }

  @Test
  void truncationKeepsTheLargestSingularDirection() {
    // W = diag(1, 0.5) = [1 0; 0 0.5] as the product of [1 0; 0 1]·[1 0; 0 0.5]; rank 1 → [1 0; 0 0].
    Matrix p = new Matrix(2, 2, new double[] {1, 0, 0, 1});
    Matrix q = new Matrix(2, 2, new double[] {1, 0, 0, 0.5});
    FactoredSvd.Factors f = FactoredSvd.truncate(p, q, 1);
    assertArrayEquals(new double[] {1, 0.5}, f.singularValues(), 1e-14);
    assertClose(new Matrix(2, 2, new double[] {1, 0, 0, 0}), f.b().times(f.a()), 1e-14);
    // Balanced split: |B| = |A| = √σ = 1.
    assertEquals(1.0, Math.abs(f.b().get(0, 0)), 1e-14);
    assertEquals(1.0, Math.abs(f.a().get(0, 0)), 1e-14);
  }

  @Test
  void zeroProductGivesZeroBAndUnitRowsOfA() {
    Matrix p = Matrix.zeros(4, 2);
    Matrix q = random(new SplittableRandom(4), 2, 5);
    FactoredSvd.Factors f = FactoredSvd.truncate(p, q, 2);
    for (double x : f.b().a()) {
      assertEquals(0.0, x);
    }
    for (int i = 0; i < 2; i++) {
      double n = 0;
      for (int j = 0; j < 5; j++) {
        n += f.a().get(i, j) * f.a().get(i, j);
      }
      assertEquals(1.0, n, 1e-12);
    }
  }
}
