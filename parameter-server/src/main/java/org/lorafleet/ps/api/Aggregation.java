package org.lorafleet.ps.api;

import java.util.Locale;

/** How {@link UpdateMode#LOCAL_SGD} averages LoRA factor deltas. */
public enum Aggregation {
  /** FedAvg of every tensor separately, A and B included (cheap; not the average of B·A). */
  MEAN,
  /**
   * Average of each LoRA pair's product B·A, re-factorised to the pair's rank by a truncated SVD;
   * tensors outside LoRA pairs are averaged as in {@link #MEAN}.
   */
  PRODUCT;

  /** Parses the config spelling ({@code mean}, {@code product}). */
  public static Aggregation parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown aggregation '" + s + "'; expected mean or product.", e);
    }
  }

  /** The config spelling. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
