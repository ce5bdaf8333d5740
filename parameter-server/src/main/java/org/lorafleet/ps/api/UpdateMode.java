package org.lorafleet.ps.api;

import java.util.Locale;

/** How the server combines workers' updates (docs/ARCHITECTURE.md, "Update rules"). */
public enum UpdateMode {
  /** Exact synchronous data parallelism: every worker pushes gradient sums for each step. */
  SYNC,
  /** Workers take local steps and push weight deltas; the server averages them weighted by tokens. */
  LOCAL_SGD,
  /** Stale-synchronous: a gradient computed on version v is applied iff current − v ≤ staleness. */
  ASYNC;

  /** Parses the config spelling ({@code sync}, {@code local-sgd}, {@code async}). */
  public static UpdateMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown update mode '" + s + "'; expected one of sync, local-sgd, async.", e);
    }
  }

  /** The config spelling. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
