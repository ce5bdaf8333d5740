package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.lorafleet.trainer.tokenizer.ChatTemplate;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.tokenizer.SpecialTokens;

/**
 * Runs in executors: formats each row, tokenizes its segments with the model's tokenizer (loaded
 * once per JVM), appends EOS, truncates, and decides eval membership. Blank lines of JSON-lines
 * and text files are skipped, not counted.
 */
final class RowEncoder implements FlatMapFunction<Iterator<SourceRow>, Example>, Serializable {

  private static final long serialVersionUID = 1L;

  private final DataSpec spec;
  private final List<InputFile> files;
  private final String modelLocation;
  private final Long eos;
  private final long seed;

  RowEncoder(DataSpec spec, List<InputFile> files, String modelLocation, Long eos, long seed) {
    this.spec = spec;
    this.files = List.copyOf(files);
    this.modelLocation = modelLocation;
    this.eos = eos;
    this.seed = seed;
  }

  @Override
  public Iterator<Example> call(Iterator<SourceRow> rows) {
    HfTokenizer tokenizer = Tokenizers.forModel(modelLocation);
    SpecialTokens special = Tokenizers.special(modelLocation);
    ChatTemplate template = spec.format().equals("chat") ? ChatTemplate.of(special, modelLocation) : null;
    RowFormatter formatter = new RowFormatter(spec, template);
    return new Iterator<>() {
      private Example next;

      @Override
      public boolean hasNext() {
        while (next == null && rows.hasNext()) {
          SourceRow row = rows.next();
          if (files.get(row.fileIdx()).kind() == InputFile.Kind.PARQUET || !row.payload().isBlank()) {
            next = encode(row, formatter, tokenizer::encode, special);
          }
        }
        return next != null;
      }

      @Override
      public Example next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Example e = next;
        next = null;
        return e;
      }
    };
  }

  /** True if the row belongs to the eval set: an eval file, or the seeded eval fraction. */
  boolean isEval(SourceRow row) {
    return isEval(spec, files, seed, row);
  }

  static boolean isEval(DataSpec spec, List<InputFile> files, long seed, SourceRow row) {
    if (files.get(row.fileIdx()).eval()) {
      return true;
    }
    return spec.eval() == null && spec.evalFraction() > 0
        && Mix.unit(Mix.hash(seed, Mix.EVAL, row.fileIdx(), row.line())) < spec.evalFraction();
  }

  /**
   * The example of one row: BOS first when the model prepends one, and with {@code add_eos} the
   * tokenizer's EOS (else config.json's first eos_token_id) last.
   */
  Example encode(SourceRow row, RowFormatter formatter, Function<String, long[]> tokenizer, SpecialTokens special) {
    boolean eval = isEval(row);
    List<RowFormatter.Segment> segments;
    try {
      segments = formatter.format(files.get(row.fileIdx()).kind(), row.payload());
    } catch (BadRow b) {
      return Example.bad(row, eval, b.getMessage());
    }
    Long appended = special.appendedEos() != null ? special.appendedEos() : eos;
    // A chat template writes its own BOS and end-of-turn tokens (apply_chat_template adds none).
    boolean templated = formatter.templated() && files.get(row.fileIdx()).kind() != InputFile.Kind.TEXT;
    return tokenize(row, eval, segments, tokenizer, templated ? null : special.bos(),
        spec.addEos() && !templated ? appended : null, spec.maxSeqLen());
  }

  /** Ids and labels of the segments, each tokenized on its own, after BOS and before EOS, cut to maxSeqLen. */
  static Example tokenize(SourceRow row, boolean eval, List<RowFormatter.Segment> segments,
      Function<String, long[]> tokenizer, Long bos, Long eos, int maxSeqLen) {
    long[] ids = new long[64];
    long[] labels = new long[64];
    int n = 0;
    if (bos != null) { // position 0 is never a target, so its label does not matter
      ids[0] = bos;
      labels[0] = TokenSequence.IGNORE;
      n = 1;
    }
    for (RowFormatter.Segment s : segments) {
      long[] t = s.text().isEmpty() ? new long[0] : tokenizer.apply(s.text());
      if (n + t.length > ids.length) {
        int cap = Math.max(ids.length * 2, n + t.length);
        ids = Arrays.copyOf(ids, cap);
        labels = Arrays.copyOf(labels, cap);
      }
      System.arraycopy(t, 0, ids, n, t.length);
      if (s.trained()) {
        System.arraycopy(t, 0, labels, n, t.length);
      } else {
        Arrays.fill(labels, n, n + t.length, TokenSequence.IGNORE);
      }
      n += t.length;
    }
    if (n == (bos != null ? 1 : 0)) {
      return new Example(row.fileIdx(), row.line(), eval, Example.Status.DROPPED, "empty after tokenizing",
          null, null, false, 0);
    }
    if (eos != null) {
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, n + 1);
        labels = Arrays.copyOf(labels, n + 1);
      }
      ids[n] = eos;
      labels[n] = eos;
      n++;
    }
    boolean truncated = n > maxSeqLen;
    int len = Math.min(n, maxSeqLen);
    int trainable = 0;
    for (int i = 1; i < len; i++) {
      if (labels[i] != TokenSequence.IGNORE) {
        trainable++;
      }
    }
    if (trainable == 0) {
      return new Example(row.fileIdx(), row.line(), eval, Example.Status.DROPPED,
          truncated ? "no trainable token left after truncation" : "no trainable token", null, null, truncated, 0);
    }
    return new Example(row.fileIdx(), row.line(), eval, Example.Status.KEPT, null, Arrays.copyOf(ids, len),
        Arrays.copyOf(labels, len), truncated, trainable);
  }
}
