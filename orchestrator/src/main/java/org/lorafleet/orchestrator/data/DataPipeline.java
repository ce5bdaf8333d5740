package org.lorafleet.orchestrator.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.lorafleet.orchestrator.config.QualityConfig;
import org.lorafleet.orchestrator.quality.Curation;
import org.lorafleet.orchestrator.quality.CurationReport;
import org.lorafleet.orchestrator.quality.CurationRow;
import org.lorafleet.orchestrator.quality.RemovedRows;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The data pipeline: reads training and eval files with Spark, formats rows, tokenizes them in the
 * executors, masks what is not trained on, packs into fixed-length sequences and shuffles
 * deterministically by seed.
 *
 * <h2>Input</h2>
 * {@code data.train} and {@code data.eval} are each a file, a directory (read recursively; names
 * starting with "_" or "." are skipped) or a glob, local or on any Hadoop file system. The extension
 * decides how a file is read (after an optional .gz/.bz2): {@code .jsonl}, {@code .json},
 * {@code .ndjson} are JSON lines (one object per line, blank lines skipped); {@code .parquet} is
 * Parquet; {@code .txt} is plain text, format {@code text} only, where <b>each non-blank line is one
 * row</b>. Rows are identified by file and 1-based line ({@code "file:line"}), or 1-based record for
 * Parquet ({@code "file:row N"}).
 *
 * <h2>Formats (rendering and loss)</h2>
 * Each row becomes segments that are tokenized separately (no special tokens added) and
 * concatenated; labels equal the ids on trained segments and -100 elsewhere.
 * <ul>
 *   <li>{@code text}: the field {@code text_field} (or the line of a .txt file); all tokens trained.
 *   <li>{@code completion}: {@code prompt_field} (not trained) then {@code completion_field}
 *       (trained), concatenated without separator.
 *   <li>{@code alpaca}: fields {@code instruction}, {@code input} (optional), {@code output};
 *       {@code "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"} (the
 *       Input block left out when input is missing or empty), not trained, then {@code output},
 *       trained.
 *   <li>{@code chat}: {@code messages_field} is a list of {@code {role, content}} with role system,
 *       user or assistant. Each turn is rendered {@code "<|role|>\n"} (never trained) followed by
 *       {@code content + "\n"} (trained for assistant turns only). At least one assistant turn must
 *       have content. No model chat template is used.
 * </ul>
 * With {@code add_eos}, the model's {@code eos_token_id} (config.json; first of a list; skipped if
 * absent) follows each example and is trained on. A missing, null, non-string or empty required
 * field, malformed JSON or a non-object line makes a bad row.
 *
 * <h2>Truncation, packing, padding</h2>
 * Each example is cut to {@code max_seq_len} tokens (counted as truncated); an example left with no
 * trained token after position 0 is dropped. With packing, examples are concatenated (within a
 * packing group, in group order) and cut into sequences of exactly {@code max_seq_len}; an example
 * may continue into the next sequence. Attention stays causal across the examples of one sequence
 * (as Hugging Face's default packing): a token may attend to earlier examples of the same sequence.
 * Without packing, each example is one sequence. Either way every sequence is exactly
 * {@code max_seq_len} long: the last sequence of a group (or each unpacked example) is padded on the
 * right with the EOS id (0 if the model has none) and label -100; with causal attention right padding
 * changes nothing for the real tokens, so no attention mask is needed.
 *
 * <h2>Eval split</h2>
 * With {@code data.eval}, all its rows are eval rows. Otherwise a row is held out for eval when a
 * hash of (seed, file, line) falls below {@code eval_fraction}. The split is made before packing;
 * eval examples are packed or padded the same way, in file order, and collected to the driver.
 *
 * <h2>Determinism</h2>
 * Training examples are spread over a fixed number of packing groups (one per 100,000 input rows,
 * at most 1024) and ordered within a group by a seeded hash of (file, line), or by position when
 * {@code shuffle} is false (groups are then contiguous ranges of the input). Packed sequences are
 * then ordered by a seeded hash of (group, number in group) and numbered 0..n-1. Nothing depends on
 * Spark's partitioning, the number of executors or the master: the same input files (same names,
 * same content), settings and seed give identical sequences on any cluster; another seed gives
 * another order and another eval split.
 *
 * <h2>Bad rows</h2>
 * {@code bad_rows: skip} counts them and keeps the first five, in file order, as
 * {@code "file:line: reason"}; {@code fail} throws {@link BadDataException} with the first one.
 */
public final class DataPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(DataPipeline.class);

  /** Internal knobs, for tests: a hint of input splits and the input rows per packing group. */
  record Tuning(int minInputPartitions, long rowsPerGroup) {
    static final Tuning DEFAULT = new Tuning(0, 100_000);
  }

  private DataPipeline() {
  }

  /**
   * Reads, formats, tokenizes in executors, packs, splits and shuffles deterministically by seed.
   * Blocks (runs Spark jobs).
   *
   * @param modelLocation the model folder (local path or Hadoop URI) holding tokenizer.json and
   *                      config.json
   * @throws BadDataException         with {@code bad_rows: fail}, at the first bad row
   * @throws IllegalArgumentException if the spec is invalid, no file matches or no training sequence
   *                                  remains
   */
  public static PreparedData prepare(SparkSession spark, DataSpec spec, String modelLocation, long seed) {
    return prepare(spark, spec, QualityConfig.OFF, null, modelLocation, seed, Tuning.DEFAULT);
  }

  /**
   * As {@link #prepare(SparkSession, DataSpec, String, long)}, with the curation stages of
   * {@code quality} run on the rows before tokenisation.
   *
   * @param removedLocation where the removed rows go with {@code keep_removed} (a folder that must not
   *                        exist), or null
   */
  public static PreparedData prepare(SparkSession spark, DataSpec spec, QualityConfig quality, String removedLocation,
      String modelLocation, long seed) {
    return prepare(spark, spec, quality, removedLocation, modelLocation, seed, Tuning.DEFAULT);
  }

  static PreparedData prepare(SparkSession spark, DataSpec spec, String modelLocation, long seed, Tuning tuning) {
    return prepare(spark, spec, QualityConfig.OFF, null, modelLocation, seed, tuning);
  }

  /**
   * The input rows after the curation stages (every row when {@code quality} runs none), for
   * {@code lorafleet data prepare}. Blocks.
   */
  public static Curated curate(SparkSession spark, DataSpec spec, QualityConfig quality, long seed) {
    spec.validate();
    List<InputFile> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), spec);
    int minPartitions = spark.sparkContext().defaultMinPartitions();
    return curate(spark, spec, quality, seed, files, RowReader.read(spark, files, minPartitions));
  }

  private static Curated curate(SparkSession spark, DataSpec spec, QualityConfig quality, long seed,
      List<InputFile> files, RowReader.Numbered numbered) {
    CurationRows conv = new CurationRows(spec, files, seed);
    JavaRDD<CurationRow> rows = numbered.rows().map(conv::toCuration);
    if (!quality.anyStage()) {
      return new Curated(files, rows, null);
    }
    Map<String, JavaRDD<String>> extra = new LinkedHashMap<>();
    for (String f : quality.decontaminate()) {
      extra.put(f, Curation.textsOf(spark, f));
    }
    return new Curated(files, null, Curation.run(spark, rows, quality, extra, seed));
  }

  /**
   * Rows after curation.
   *
   * @param files    the input files, by file index
   * @param plain    every row, when no stage ran (else null)
   * @param result   the stages' output, when they ran (else null)
   */
  public record Curated(List<InputFile> files, JavaRDD<CurationRow> plain,
      Curation.Result result) {

    /** The surviving rows. */
    public JavaRDD<CurationRow> rows() {
      return result != null ? result.rows() : plain;
    }

    /** The report, or null when no stage ran. */
    public CurationReport report() {
      return result != null ? result.report() : null;
    }

    /** Whether file {@code fileIdx} is read as plain text lines. */
    public boolean textFile(int fileIdx) {
      return files.get(fileIdx).kind() == InputFile.Kind.TEXT;
    }

    /** Releases what the stages persisted. */
    public void release() {
      if (result != null) {
        result.rows().unpersist(false);
        if (result.removed() != null) {
          result.removed().unpersist(false);
        }
      }
    }
  }

  static PreparedData prepare(SparkSession spark, DataSpec spec, QualityConfig quality, String removedLocation,
      String modelLocation, long seed, Tuning tuning) {
    spec.validate();
    if (modelLocation == null || modelLocation.isBlank()) {
      throw new IllegalArgumentException("The data pipeline needs the model folder, for its tokenizer.");
    }
    List<InputFile> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), spec);
    int trainFiles = (int) files.stream().filter(f -> !f.eval()).count();
    Long eos = Tokenizers.eosId(spark.sparkContext().hadoopConfiguration(), modelLocation);
    long padId = eos == null ? 0 : eos;
    int minPartitions = tuning.minInputPartitions() > 0 ? tuning.minInputPartitions()
        : spark.sparkContext().defaultMinPartitions();

    RowReader.Numbered numbered = RowReader.read(spark, files, minPartitions);
    Curated curated = curate(spark, spec, quality, seed, files, numbered);
    if (curated.result() != null && curated.result().removed() != null && removedLocation != null) {
      RemovedRows.write(curated.result().removed(), removedLocation);
    }
    JavaRDD<SourceRow> rows = curated.result() == null ? numbered.rows()
        : curated.rows().map(CurationRows::toSource);
    JavaRDD<Example> examples = rows
        .mapPartitions(new RowEncoder(spec, files, modelLocation, eos, seed))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Tally tally = examples.aggregate(new Tally(), Tally::add, Tally::merge);
      List<String> bad = tally.badMessages(files);
      if (spec.failOnBadRows() && !bad.isEmpty()) {
        throw new BadDataException(bad.get(0));
      }
      Packer packer = new Packer(spec.maxSeqLen(), spec.packing(), padId);
      List<TokenSequence> eval = eval(examples, packer);
      Grouping grouping = new Grouping(spec.shuffle(), seed, numbered.linesPerFile(), trainFiles,
          tuning.rowsPerGroup());
      JavaRDD<TokenSequence> train = train(examples, packer, grouping, spec.shuffle())
          .persist(StorageLevel.MEMORY_AND_DISK());
      long trainCount = train.count();
      DataStats stats = new DataStats(tally.rows, tally.bad, bad, tally.dropped, tally.truncated, tally.tokens,
          tally.trainable, trainCount, eval.size());
      if (trainCount == 0) {
        train.unpersist(false);
        throw new IllegalArgumentException("No training sequence is left from data.train '" + spec.train()
            + "' (every row was bad, dropped or held out for eval):\n" + stats.summary(spec.maxSeqLen()));
      }
      LOG.info("Data prepared:\n{}", stats.summary(spec.maxSeqLen()));
      return new PreparedData(train, eval, stats, curated.report());
    } finally {
      examples.unpersist(false);
      curated.release();
    }
  }

  private static List<TokenSequence> eval(JavaRDD<Example> examples, Packer packer) {
    List<Example> rows = new ArrayList<>(examples.filter(e -> e.kept() && e.eval()).collect());
    rows.sort(Example::compareByPosition);
    List<TokenSequence> out = new ArrayList<>();
    for (Iterator<Packer.Packed> it = packer.pack(0, rows.iterator()); it.hasNext(); ) {
      Packer.Packed p = it.next();
      out.add(new TokenSequence(out.size(), p.ids(), p.labels()));
    }
    return List.copyOf(out);
  }

  private static JavaRDD<TokenSequence> train(JavaRDD<Example> examples, Packer packer, Grouping grouping,
      boolean shuffle) {
    JavaRDD<Packer.Packed> packed = examples.filter(e -> e.kept() && !e.eval())
        .mapToPair(e -> new Tuple2<>(grouping.key(e), e))
        .repartitionAndSortWithinPartitions(new Grouping.ByGroup(grouping.groups()), new Grouping.KeyOrder())
        .values()
        .mapPartitionsWithIndex(packer::pack, true);
    if (shuffle) {
      packed = packed.mapToPair(p -> new Tuple2<>(grouping.seqKey(p), p))
          .sortByKey(new Grouping.SeqOrder(), true, grouping.groups())
          .values();
    }
    return packed.zipWithIndex().map(t -> new TokenSequence(t._2(), t._1().ids(), t._1().labels()));
  }
}
