package org.lorafleet.ps.api;

/** What a push carries. */
public enum UpdateKind {
  /** Sums over tokens of d(loss)/dθ, with the token count (sync, async). */
  GRADIENT_SUMS,
  /** Weight deltas after K local steps (local-sgd). */
  WEIGHT_DELTAS
}
