package org.lorafleet.orchestrator.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;

/**
 * The frozen base models of this JVM, loaded once per location and shared by every task thread of
 * an executor (and by the driver in local mode). Callers get a {@link CausalLm#replica()}: their
 * own LoRA wiring over the shared read-only weights. Loading blocks; concurrent callers for the
 * same location wait for one load.
 */
public final class BaseModels {

  private static final Map<String, CausalLm> LOADED = new ConcurrentHashMap<>();

  private BaseModels() {}

  /** A replica of the base model at {@code location} (local path or Hadoop URI). */
  public static CausalLm replica(String location) {
    return LOADED.computeIfAbsent(location, BaseModels::load).replica();
  }

  private static CausalLm load(String location) {
    try (HfCheckpoint ck = HfCheckpoint.open(LocalModelDir.of(location))) {
      return CausalLmLoader.load(ck);
    }
  }
}
