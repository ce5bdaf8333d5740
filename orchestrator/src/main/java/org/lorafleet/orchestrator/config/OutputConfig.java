package org.lorafleet.orchestrator.config;

/**
 * Section {@code output}: where results go.
 *
 * @param dir output folder (adapter, metrics.jsonl, summary.json, resolved config), local or any Hadoop
 *     URI; default null, which {@link JobConfig} resolves to {@code out/<name>}
 * @param merge also write the base model with the adapter merged in, as a Hugging Face checkpoint; default false
 */
public record OutputConfig(String dir, boolean merge) {

  static final String SECTION = "output";

  public OutputConfig {
    Checks c = new Checks(SECTION);
    c.nullOrNotBlank("dir", dir);
    c.done();
  }

  /** This section with {@code dir} replaced. */
  public OutputConfig withDir(String newDir) {
    return new OutputConfig(newDir, merge);
  }

  static OutputConfig read(ConfigNode n) {
    String dir = n.string("dir", null);
    boolean merge = n.bool("merge", false);
    return n.attempt(() -> new OutputConfig(dir, merge));
  }
}
