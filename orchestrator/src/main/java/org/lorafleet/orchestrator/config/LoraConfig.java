package org.lorafleet.orchestrator.config;

/**
 * Section {@code lora}: the adapter's shape, with PEFT's meaning.
 *
 * @param r rank, > 0; default 8
 * @param alpha scaling numerator ({@code lora_alpha}), > 0; default 16. The update is scaled by
 *     alpha / r, or alpha / √r with {@code rslora}
 * @param dropout dropout on the LoRA branch input, in [0, 1); default 0.0
 * @param targetModules which layers get adapters ({@link TargetModules}); default {@code [q_proj, v_proj]}
 * @param rslora rank-stabilised scaling alpha / √r; default false
 */
public record LoraConfig(int r, double alpha, double dropout, TargetModules targetModules, boolean rslora) {

  static final String SECTION = "lora";

  public LoraConfig {
    Checks c = new Checks(SECTION);
    c.positive("r", r);
    c.positive("alpha", alpha);
    c.between("dropout", dropout, 0, 1, true);
    c.check(targetModules != null, "target_modules", "is required");
    c.done();
  }

  static LoraConfig read(ConfigNode n) {
    int r = n.integer("r", 8);
    double alpha = n.number("alpha", 16);
    double dropout = n.number("dropout", 0.0);
    Object targets = n.stringOrList("target_modules", null);
    TargetModules tm = targets == null ? TargetModules.DEFAULT : n.attempt(() -> TargetModules.fromYaml(targets));
    boolean rslora = n.bool("rslora", false);
    return n.attempt(() -> new LoraConfig(r, alpha, dropout, tm == null ? TargetModules.DEFAULT : tm, rslora));
  }
}
