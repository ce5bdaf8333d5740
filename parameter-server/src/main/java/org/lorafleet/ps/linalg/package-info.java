/**
 * The parameter server's {@code product} aggregation math: a truncated SVD of a product of two thin
 * factors that never forms the full matrix ({@link org.lorafleet.ps.linalg.FactoredSvd}), on EJML's
 * dense decompositions (pure Java, deterministic).
 */
package org.lorafleet.ps.linalg;
