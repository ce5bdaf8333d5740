package org.lorafleet.orchestrator.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Shared helpers: a local[2] Spark session, a reference model folder, expected token arrays. */
final class DataTestSupport {

  private DataTestSupport() {
  }

  static SparkSession spark(String app) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }

  /** Any reference case folder with a tokenizer.json and a config.json. */
  static String modelDir() {
    for (Path c : ReferenceCases.all()) {
      if (Files.isRegularFile(c.resolve("tokenizer.json")) && Files.isRegularFile(c.resolve("config.json"))) {
        return c.toAbsolutePath().toString();
      }
    }
    throw new IllegalStateException("No reference case has both tokenizer.json and config.json.");
  }

  static Long eos(String model) {
    return Tokenizers.eosId(new Configuration(), model);
  }

  static long[] enc(String model, String text) {
    return Tokenizers.forModel(model).encode(text);
  }

  static Path write(Path file, String... lines) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DataSpec spec(String train, String format, int maxSeqLen) {
    return DataSpec.defaults(train, format, maxSeqLen);
  }

  static DataSpec with(DataSpec s, String eval, double evalFraction, boolean packing, String badRows,
      boolean shuffle) {
    return new DataSpec(s.train(), eval, evalFraction, s.format(), s.maxSeqLen(), packing, badRows, s.textField(),
        s.promptField(), s.completionField(), s.messagesField(), s.addEos(), shuffle);
  }

  /** Expected ids and labels of one example built from (text, trained) pieces, then EOS. */
  static final class Expected {
    final List<Long> ids = new ArrayList<>();
    final List<Long> labels = new ArrayList<>();
    private final String model;

    Expected(String model) {
      this.model = model;
    }

    Expected add(String text, boolean trained) {
      for (long id : enc(model, text)) {
        ids.add(id);
        labels.add(trained ? id : -100L);
      }
      return this;
    }

    Expected eos() {
      Long e = DataTestSupport.eos(model);
      if (e != null) {
        ids.add(e);
        labels.add(e);
      }
      return this;
    }

    /** Padded (or cut) to len with the pad id and label -100. */
    long[][] padded(int len) {
      long pad = DataTestSupport.eos(model) == null ? 0 : DataTestSupport.eos(model);
      long[] i = new long[len];
      long[] l = new long[len];
      Arrays.fill(i, pad);
      Arrays.fill(l, -100);
      for (int k = 0; k < Math.min(len, ids.size()); k++) {
        i[k] = ids.get(k);
        l[k] = labels.get(k);
      }
      return new long[][] {i, l};
    }
  }
}
