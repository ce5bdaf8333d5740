/**
 * Small dense linear algebra in double precision for the parameter server's {@code product}
 * aggregation: Householder QR and a one-sided Jacobi SVD, combined into a truncated SVD of a
 * product of two thin factors that never forms the full matrix. Pure Java, deterministic.
 */
package org.lorafleet.ps.linalg;
