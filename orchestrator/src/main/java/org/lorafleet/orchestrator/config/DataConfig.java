package org.lorafleet.orchestrator.config;

import java.util.Locale;

/**
 * Section {@code data}: what to train on and how rows become token sequences.
 *
 * @param train training data: a JSONL, Parquet or text file or a folder of them, local or any Hadoop
 *     URI. Required.
 * @param eval evaluation data in the same forms; default null (then {@code evalFraction} of train is held out)
 * @param evalFraction fraction of train held out for evaluation when {@code eval} is null, in [0, 0.5];
 *     default 0.02, or 0 when {@code eval} is set (giving both a file and a fraction > 0 is an error)
 * @param format how rows are rendered: {@code text}, {@code completion} (default; loss on the completion
 *     only), {@code alpaca} (instruction/input/output) or {@code chat} (role/content messages; loss on
 *     assistant turns only)
 * @param maxSeqLen tokens per sequence (longer rows are truncated), >= 8; default 256
 * @param packing pack several rows into each sequence; default true
 * @param badRows {@code skip} (default: count them and show file:line examples) or {@code fail}
 * @param textField field read by format text; default {@code text}
 * @param promptField prompt field of format completion; default {@code prompt}
 * @param completionField completion field of format completion; default {@code completion}
 * @param messagesField messages field of format chat; default {@code messages}
 * @param addEos append the tokenizer's end-of-sequence token to every row; default true
 * @param shuffle shuffle the rows, deterministically by the job seed; default true
 * @param quality the curation stages (subsection {@code quality}); default every stage off
 */
public record DataConfig(String train, String eval, double evalFraction, Format format, int maxSeqLen,
    boolean packing, BadRows badRows, String textField, String promptField, String completionField,
    String messagesField, boolean addEos, boolean shuffle, QualityConfig quality) {

  static final String SECTION = "data";

  /** How rows are rendered into training text. */
  public enum Format implements YamlNamed {
    TEXT, COMPLETION, ALPACA, CHAT;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What happens to a row that cannot be used. */
  public enum BadRows implements YamlNamed {
    SKIP, FAIL;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DataConfig {
    Checks c = new Checks(SECTION);
    c.notBlank("train", train);
    c.nullOrNotBlank("eval", eval);
    if (c.check(!(eval != null && evalFraction > 0), "eval_fraction",
        "must be 0 when data.eval is set; give an eval file or a fraction, not both (got " + Checks.num(evalFraction) + ")")) {
      c.between("eval_fraction", evalFraction, 0, 0.5, false);
    }
    c.check(format != null, "format", "is required");
    c.atLeast("max_seq_len", maxSeqLen, 8);
    c.check(badRows != null, "bad_rows", "is required");
    c.notBlank("text_field", textField);
    c.notBlank("prompt_field", promptField);
    c.notBlank("completion_field", completionField);
    c.notBlank("messages_field", messagesField);
    c.check(quality != null, "quality", "is required");
    c.done();
  }

  static DataConfig read(ConfigNode n) {
    String train = n.requiredString("train");
    String eval = n.string("eval", null);
    double evalFraction = n.number("eval_fraction", eval == null ? 0.02 : 0.0);
    Format format = n.choice("format", Format.COMPLETION, Format.class);
    int maxSeqLen = n.integer("max_seq_len", 256);
    boolean packing = n.bool("packing", true);
    BadRows badRows = n.choice("bad_rows", BadRows.SKIP, BadRows.class);
    String textField = n.string("text_field", "text");
    String promptField = n.string("prompt_field", "prompt");
    String completionField = n.string("completion_field", "completion");
    String messagesField = n.string("messages_field", "messages");
    boolean addEos = n.bool("add_eos", true);
    boolean shuffle = n.bool("shuffle", true);
    QualityConfig read = QualityConfig.read(n.section("quality"));
    QualityConfig quality = read == null ? QualityConfig.OFF : read; // its errors are recorded already
    return n.attempt(() -> new DataConfig(train, eval, evalFraction, format, maxSeqLen, packing, badRows,
        textField, promptField, completionField, messagesField, addEos, shuffle, quality));
  }
}
