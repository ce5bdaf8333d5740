package org.lorafleet.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.nn.CrossEntropy;
import org.lorafleet.trainer.quant.Quantization;
import org.lorafleet.trainer.tokenizer.HfTokenizer;

/**
 * Eval perplexity and frozen-weight bytes of one model held in each precision / quantised form,
 * against float32, on the same token rows (a JSON-lines file's string fields, tokenized and packed).
 * Usage: {@code QuantQualityBenchmark MODEL_DIR DATA.jsonl [seq=256] [rows=64]}; run through
 * bench/quant-quality.sh. Deterministic: no randomness anywhere.
 */
public final class QuantQualityBenchmark {

  private static final int BATCH = 4;

  public static void main(String[] args) throws IOException {
    Path modelDir = Path.of(args[0]);
    Path data = Path.of(args[1]);
    int seq = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int rows = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    long[] tokens;
    try (HfCheckpoint ck = HfCheckpoint.open(modelDir); HfTokenizer tok = HfTokenizer.load(ck.tokenizerPath())) {
      tokens = packedTokens(tok, data, (long) seq * rows);
    }
    int usable = (int) (tokens.length / seq / BATCH) * BATCH;
    System.out.printf(Locale.ROOT, "model %s, %d rows of %d tokens from %s%n", modelDir.getFileName(), usable, seq,
        data.getFileName());
    List<LoadOptions> modes = List.of(LoadOptions.FLOAT32, new LoadOptions(BaseDType.BFLOAT16, Quantization.NONE),
        new LoadOptions(BaseDType.FLOAT16, Quantization.NONE), new LoadOptions(BaseDType.AUTO, Quantization.INT8),
        new LoadOptions(BaseDType.AUTO, Quantization.NF4), new LoadOptions(BaseDType.AUTO, Quantization.NF4, true),
        new LoadOptions(BaseDType.AUTO, Quantization.INT4));
    double reference = Double.NaN;
    long referenceBytes = 0;
    for (LoadOptions mode : modes) {
      List<String> notes = new ArrayList<>();
      CausalLm model;
      try (HfCheckpoint ck = HfCheckpoint.open(modelDir)) {
        model = CausalLmLoader.load(ck, mode, notes::add);
      }
      double lossSum = 0;
      long counted = 0;
      for (int r = 0; r < usable; r += BATCH) {
        long[] ids = java.util.Arrays.copyOfRange(tokens, r * seq, (r + BATCH) * seq);
        CrossEntropy.Result res = model.loss(ids, ids, BATCH, seq);
        lossSum += res.lossSum();
        counted += res.tokens();
      }
      double loss = lossSum / counted;
      if (Double.isNaN(reference)) {
        reference = loss;
        referenceBytes = model.weightBytes();
      }
      System.out.printf(Locale.ROOT,
          "RESULT model=%s mode=%s eval_loss=%.4f perplexity=%.3f ppl_vs_fp32=%+.2f%% weight_bytes=%d bytes_vs_fp32=%.3f"
              + " kept_dense=%d%n", modelDir.getFileName(), mode.label(), loss, Math.exp(loss),
          100 * (Math.exp(loss - reference) - 1), model.weightBytes(), model.weightBytes() / (double) referenceBytes,
          notes.size());
    }
  }

  /** The string fields of each JSON line, tokenized and concatenated, up to {@code limit} tokens. */
  private static long[] packedTokens(HfTokenizer tok, Path data, long limit) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<long[]> parts = new ArrayList<>();
    long total = 0;
    for (String line : Files.readAllLines(data)) {
      if (line.isBlank() || total >= limit) {
        continue;
      }
      StringBuilder text = new StringBuilder();
      JsonNode row = json.readTree(line);
      row.fields().forEachRemaining(e -> text.append(e.getValue().asText()));
      long[] ids = tok.encode(text.append('\n').toString());
      parts.add(ids);
      total += ids.length;
    }
    long[] out = new long[(int) Math.min(total, limit)];
    int at = 0;
    for (long[] p : parts) {
      int n = Math.min(p.length, out.length - at);
      System.arraycopy(p, 0, out, at, n);
      at += n;
    }
    return out;
  }
}
