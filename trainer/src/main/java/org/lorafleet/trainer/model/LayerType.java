package org.lorafleet.trainer.model;

import java.util.Locale;

/** What a layer's attention sees: every earlier position, or only the last {@code sliding_window} ones. */
public enum LayerType {
  FULL("full_attention"),
  SLIDING("sliding_attention");

  private final String configName;

  LayerType(String configName) {
    this.configName = configName;
  }

  /** The name config.json uses in {@code layer_types} and per-type {@code rope_parameters}. */
  public String configName() {
    return configName;
  }

  /** Parses a {@code layer_types} entry; null when unknown. */
  static LayerType fromConfig(String name) {
    for (LayerType t : values()) {
      if (t.configName.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    return null;
  }
}
