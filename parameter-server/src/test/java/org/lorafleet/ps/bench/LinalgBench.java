package org.lorafleet.ps.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.lorafleet.ps.linalg.Dense.Matrix;
import org.lorafleet.ps.linalg.HandWrittenSvd;
import org.lorafleet.ps.linalg.FactoredError;
import org.lorafleet.ps.linalg.FactoredSvd;

/**
 * {@code product} aggregation's truncated SVD of a product of thin factors: the hand-written QR +
 * one-sided Jacobi SVD ("ours", {@code HandWrittenSvd}, test code now) against {@link FactoredSvd} on
 * EJML's decompositions, on the shapes local-sgd meets: an m×n LoRA pair, k = workers·r. Rounds
 * alternate the two; prints the median milliseconds with the spread, the ratio, and each one's relative
 * error ‖P·Q − B·A‖_F / ‖P·Q‖_F next to the Eckart–Young optimum. Run by {@code bench/linalg-bench.sh}.
 */
public final class LinalgBench {

  private LinalgBench() {}

  /** m, n, workers, r. */
  private static final int[][] SHAPES = {
      {768, 768, 4, 8}, {768, 768, 16, 8}, {2048, 2048, 16, 16}, {2048, 8192, 16, 16}, {8192, 8192, 32, 8}};

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    System.out.printf(Locale.ROOT, "%-22s %5s  %-22s %-22s %6s  %-10s %-10s %-10s%n", "m×n (workers·r = k)", "rank",
        "ours ms (min–max)", "EJML ms (min–max)", "ours/EJML", "err ours", "err EJML", "optimum");
    for (int[] s : SHAPES) {
      run(s[0], s[1], s[2] * s[3], s[3], rounds);
    }
  }

  private static void run(int m, int n, int k, int r, int rounds) {
    SplittableRandom rnd = new SplittableRandom(m * 31L + n * 7L + k);
    Matrix p = randomFactor(rnd, m, k, true); // like Σ w_i·B_i side by side: [m, k]
    Matrix q = randomFactor(rnd, k, n, false); // the A_i stacked: [k, n]
    HandWrittenSvd.truncate(p, q, r); // warm-up of both, not timed
    FactoredSvd.truncate(p, q, r);
    List<Double> ours = new ArrayList<>();
    List<Double> ejml = new ArrayList<>();
    FactoredSvd.Factors fo = null;
    FactoredSvd.Factors fe = null;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      fo = HandWrittenSvd.truncate(p, q, r);
      long t1 = System.nanoTime();
      fe = FactoredSvd.truncate(p, q, r);
      long t2 = System.nanoTime();
      ours.add((t1 - t0) / 1e6);
      ejml.add((t2 - t1) / 1e6);
    }
    double mo = median(ours);
    double me = median(ejml);
    System.out.printf(Locale.ROOT, "%-22s %5d  %-22s %-22s %6.2f×  %-10.3e %-10.3e %-10.3e%n",
        m + "×" + n + " (k=" + k + ")", r, cell(ours), cell(ejml), mo / me,
        FactoredError.relative(p, q, fo.b(), fo.a()), FactoredError.relative(p, q, fe.b(), fe.a()),
        FactoredError.optimal(fe.singularValues(), r));
  }

  /** Gaussian entries; the columns of a left factor decay, so the spectrum of P·Q is spread. */
  private static Matrix randomFactor(SplittableRandom rnd, int rows, int cols, boolean decaying) {
    Matrix x = Matrix.zeros(rows, cols);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double u = 1 - rnd.nextDouble();
        double g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
        x.set(i, j, decaying ? g * Math.pow(0.97, j) : g);
      }
    }
    return x;
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static String cell(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median(xs), a[0], a[a.length - 1]);
  }
}
