package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.Set;

/**
 * What to read and how to turn it into training sequences (the {@code data:} section of a job).
 *
 * @param train         training input: a file, a directory (read recursively, names starting with
 *                      "_" or "." skipped) or a glob; local path or any Hadoop URI
 * @param eval          eval input in the same forms, or null to split {@code evalFraction} off train
 * @param evalFraction  share of training rows held out for eval when {@code eval} is null, in [0, 1)
 * @param format        {@code text}, {@code completion}, {@code alpaca} or {@code chat}
 * @param maxSeqLen     length of every output sequence (examples are truncated to it), at least 2
 * @param packing       concatenate examples into full sequences instead of one padded example each
 * @param badRows       {@code skip} (count and report) or {@code fail} (stop at the first)
 * @param textField     field of the text (format text, JSON/Parquet input)
 * @param promptField   field of the prompt (format completion)
 * @param completionField field of the completion (format completion)
 * @param messagesField field of the role/content message list (format chat)
 * @param addEos        append the model's EOS token (trained on) after each example
 * @param shuffle       shuffle deterministically by seed; false keeps file order
 */
public record DataSpec(String train, String eval, double evalFraction, String format, int maxSeqLen,
    boolean packing, String badRows, String textField, String promptField, String completionField,
    String messagesField, boolean addEos, boolean shuffle) implements Serializable {

  public static final Set<String> FORMATS = Set.of("text", "completion", "alpaca", "chat");
  public static final Set<String> BAD_ROW_POLICIES = Set.of("skip", "fail");

  /**
   * A spec with the usual defaults: no eval, no packing, bad rows skipped, fields {@code text},
   * {@code prompt}, {@code completion} and {@code messages}, EOS appended, shuffled.
   */
  public static DataSpec defaults(String train, String format, int maxSeqLen) {
    return new DataSpec(train, null, 0.0, format, maxSeqLen, false, "skip", "text", "prompt", "completion",
        "messages", true, true);
  }

  /** Checks every setting and throws an IllegalArgumentException naming the first wrong one. */
  public void validate() {
    if (train == null || train.isBlank()) {
      throw new IllegalArgumentException("data.train must name a file, a directory or a glob.");
    }
    if (eval != null && eval.isBlank()) {
      throw new IllegalArgumentException("data.eval is blank: give a file, a directory or a glob, or leave it out.");
    }
    if (!(evalFraction >= 0.0 && evalFraction < 1.0)) {
      throw new IllegalArgumentException("data.eval_fraction must be at least 0 and below 1, got " + evalFraction + ".");
    }
    if (format == null || !FORMATS.contains(format)) {
      throw new IllegalArgumentException("data.format must be one of text, completion, alpaca or chat, got '"
          + format + "'.");
    }
    if (maxSeqLen < 2) {
      throw new IllegalArgumentException("data.max_seq_len must be at least 2, got " + maxSeqLen + ".");
    }
    if (badRows == null || !BAD_ROW_POLICIES.contains(badRows)) {
      throw new IllegalArgumentException("data.bad_rows must be skip or fail, got '" + badRows + "'.");
    }
    switch (format) {
      case "text" -> requireField("data.text_field", textField);
      case "completion" -> {
        requireField("data.prompt_field", promptField);
        requireField("data.completion_field", completionField);
      }
      case "chat" -> requireField("data.messages_field", messagesField);
      default -> { }
    }
  }

  /** True when bad rows stop the job. */
  public boolean failOnBadRows() {
    return "fail".equals(badRows);
  }

  private static void requireField(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must name a field of the input rows.");
    }
  }
}
