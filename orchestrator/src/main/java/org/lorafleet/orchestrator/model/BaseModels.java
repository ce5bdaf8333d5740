package org.lorafleet.orchestrator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frozen base models of this JVM, loaded once per location and precision/quantisation and
 * shared by every task thread of an executor (and by the driver in local mode). Callers get a
 * {@link CausalLm#replica()}: their own LoRA wiring over the shared read-only weights. Loading
 * blocks; concurrent callers for the same model wait for one load.
 */
public final class BaseModels {

  private static final Logger LOG = LoggerFactory.getLogger(BaseModels.class);
  private static final Map<Key, Loaded> LOADED = new ConcurrentHashMap<>();

  private record Key(String location, LoadOptions options) {}

  private record Loaded(CausalLm model, List<String> notes) {}

  private BaseModels() {}

  /** A replica of the base model at {@code location} (local path or Hadoop URI), in the file's precision. */
  public static CausalLm replica(String location) {
    return replica(location, LoadOptions.AUTO);
  }

  /** A replica of the base model at {@code location} held as {@code options} say. */
  public static CausalLm replica(String location, LoadOptions options) {
    return LOADED.computeIfAbsent(new Key(location, options), BaseModels::load).model().replica();
  }

  /**
   * One line for the console about how the base at {@code location} is held (loading it if needed):
   * form, frozen-weight bytes, and the weights that could not take the requested quantisation.
   */
  public static String describe(String location, LoadOptions options) {
    Loaded l = LOADED.computeIfAbsent(new Key(location, options), BaseModels::load);
    StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "Base model %s held as %s: %.1f MiB of frozen weights.",
        location, options.label(), l.model().weightBytes() / 1048576.0));
    int shown = Math.min(3, l.notes().size());
    for (int i = 0; i < shown; i++) {
      sb.append(System.lineSeparator()).append("  ").append(l.notes().get(i));
    }
    if (l.notes().size() > shown) {
      sb.append(System.lineSeparator()).append("  … and ").append(l.notes().size() - shown)
          .append(" more weights kept unquantised for the same kind of reason.");
    }
    return sb.toString();
  }

  /** How many distinct base models this JVM holds (one per location and load options). */
  public static int loadedCount() {
    return LOADED.size();
  }

  private static Loaded load(Key key) {
    List<String> notes = new ArrayList<>();
    try (HfCheckpoint ck = HfCheckpoint.open(LocalModelDir.of(key.location()))) {
      CausalLm m = CausalLmLoader.load(ck, key.options(), notes::add);
      notes.forEach(LOG::info);
      LOG.info("Loaded base model {} as {}: {} MiB of frozen weights.", key.location(), key.options().label(),
          String.format(java.util.Locale.ROOT, "%.1f", m.weightBytes() / 1048576.0));
      return new Loaded(m, List.copyOf(notes));
    }
  }
}
