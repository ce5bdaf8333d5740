package org.lorafleet.ps.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lorafleet.ps.linalg.Dense.Matrix;

/**
 * {@link FactoredSvd} (EJML's QR and SVD) against the hand-written QR + one-sided Jacobi SVD it replaced
 * (a second, independent implementation) on products of thin factors shaped like local-sgd's LoRA
 * averaging ({@code k = workers · r}): the same singular values, and both truncations as close to
 * {@code P·Q} as Eckart–Young allows, with the error measured in factored form.
 */
class FactoredSvdAccuracyTest {

  @ParameterizedTest
  @CsvSource({"200, 150, 24, 6, 1", "64, 300, 48, 8, 2", "512, 96, 96, 16, 3", "128, 128, 40, 40, 4"})
  void singularValuesAndTruncationsMatchEjml(int m, int n, int k, int r, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Matrix p = decaying(rnd, m, k);
    Matrix q = gaussian(rnd, k, n);
    FactoredSvd.Factors ejml = FactoredSvd.truncate(p, q, r);
    FactoredSvd.Factors ours = HandWrittenSvd.truncate(p, q, r);
    double top = ejml.singularValues()[0];
    for (int i = 0; i < Math.min(k, Math.min(m, n)); i++) {
      assertEquals(ejml.singularValues()[i], ours.singularValues()[i], 1e-11 * top, "singular value " + i);
    }
    double best = FactoredError.optimal(ejml.singularValues(), r);
    double errOurs = FactoredError.relative(p, q, ours.b(), ours.a());
    double errEjml = FactoredError.relative(p, q, ejml.b(), ejml.a());
    assertEquals(best, errOurs, 1e-9, "the hand-written one against the optimum");
    assertEquals(best, errEjml, 1e-9, "FactoredSvd against the optimum");
    assertTrue(r < k || errEjml < 1e-7, "full rank is exact: " + errEjml);
  }

  /** Gaussian columns whose scale decays, so the product has a spread spectrum and truncation matters. */
  static Matrix decaying(SplittableRandom rnd, int rows, int cols) {
    Matrix x = gaussian(rnd, rows, cols);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        x.set(i, j, x.get(i, j) * Math.pow(0.85, j));
      }
    }
    return x;
  }

  static Matrix gaussian(SplittableRandom rnd, int rows, int cols) {
    Matrix x = Matrix.zeros(rows, cols);
    for (int i = 0; i < x.a().length; i++) {
      x.a()[i] = gaussian(rnd);
    }
    return x;
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
