package org.lorafleet.orchestrator.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the input files as one RDD of {@link SourceRow}s that know their file and 1-based line.
 *
 * <p>Line-based files go through Hadoop's TextInputFormat, so large files are split; Parquet files
 * through Spark SQL, each record turned into a JSON object. Every record is first tagged with its
 * file and the start offset of its input split; one counting job learns how many records each split
 * holds, and the second pass numbers records by the records of the earlier splits of the same file.
 * Line numbers therefore do not depend on how the files were split.
 */
final class RowReader {

  /** A run of consecutive records of one input split. */
  record Split(String key, long start) implements Serializable {
  }

  private record Tagged(String key, long start, String payload) implements Serializable {
  }

  private record Segment(Split split, long count) implements Serializable {
  }

  /**
   * @param rows         every row (blank lines included; the formatter skips them)
   * @param linesPerFile records (lines or Parquet rows) per file, by file index
   */
  record Numbered(JavaRDD<SourceRow> rows, long[] linesPerFile) {
  }

  private RowReader() {
  }

  static Numbered read(SparkSession spark, List<InputFile> files, int minPartitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Tagged> tagged = tagged(spark, jsc, files, minPartitions);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      index.put(files.get(i).key(), i);
    }
    List<Segment> segments = tagged.mapPartitions(RowReader::segments).collect();
    Map<Split, Long> counts = new HashMap<>();
    for (Segment s : segments) {
      if (!index.containsKey(s.split().key())) {
        throw new IllegalStateException("Spark read the file " + s.split().key() + ", which is not among the "
            + "listed input files " + index.keySet() + ".");
      }
      if (counts.put(s.split(), s.count()) != null) {
        throw new IllegalStateException("Spark read the input split " + s.split() + " twice.");
      }
    }
    List<Split> ordered = new ArrayList<>(counts.keySet());
    ordered.sort((a, b) -> a.key().equals(b.key()) ? Long.compare(a.start(), b.start()) : a.key().compareTo(b.key()));
    Map<Split, Long> base = new HashMap<>();
    long[] perFile = new long[files.size()];
    for (Split s : ordered) {
      int f = index.get(s.key());
      base.put(s, perFile[f]);
      perFile[f] += counts.get(s);
    }
    Broadcast<Map<Split, Long>> baseB = jsc.broadcast(base);
    Broadcast<Map<String, Integer>> indexB = jsc.broadcast(index);
    JavaRDD<SourceRow> rows = tagged.mapPartitions(it -> number(it, baseB.value(), indexB.value()));
    return new Numbered(rows, perFile);
  }

  private static JavaRDD<Tagged> tagged(SparkSession spark, JavaSparkContext jsc, List<InputFile> files,
      int minPartitions) {
    List<String> lineFiles = new ArrayList<>();
    List<String> parquetFiles = new ArrayList<>();
    for (InputFile f : files) {
      (f.kind() == InputFile.Kind.PARQUET ? parquetFiles : lineFiles).add(f.key());
    }
    JavaRDD<Tagged> out = null;
    if (!lineFiles.isEmpty()) {
      out = lines(jsc, lineFiles, minPartitions);
    }
    if (!parquetFiles.isEmpty()) {
      JavaRDD<Tagged> p = parquet(spark, parquetFiles);
      out = out == null ? p : out.union(p);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static JavaRDD<Tagged> lines(JavaSparkContext jsc, List<String> keys, int minPartitions) {
    JobConf job = new JobConf(jsc.hadoopConfiguration());
    FileInputFormat.setInputPaths(job, keys.stream().map(org.apache.hadoop.fs.Path::new)
        .toArray(org.apache.hadoop.fs.Path[]::new));
    JavaHadoopRDD<LongWritable, Text> rdd = (JavaHadoopRDD<LongWritable, Text>) jsc.hadoopRDD(job,
        TextInputFormat.class, LongWritable.class, Text.class, Math.max(1, minPartitions));
    return rdd.mapPartitionsWithInputSplit((split, it) -> {
      FileSplit fs = (FileSplit) split;
      String key = InputFile.key(fs.getPath().toUri());
      long start = fs.getStart();
      return new Iterator<Tagged>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Tagged next() {
          return new Tagged(key, start, it.next()._2().toString()); // Hadoop reuses the Text: copy now
        }
      };
    }, false);
  }

  private static JavaRDD<Tagged> parquet(SparkSession spark, List<String> keys) {
    Dataset<Row> df = spark.read().option("mergeSchema", "true").parquet(keys.toArray(String[]::new));
    String[] names = df.columns();
    if (names.length == 0) {
      throw new IllegalArgumentException("The Parquet input " + keys + " has no columns.");
    }
    Column[] cols = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      cols[i] = col("`" + names[i].replace("`", "``") + "`");
    }
    return df.select(col("_metadata.file_path"), col("_metadata.file_block_start"), to_json(struct(cols)))
        .javaRDD()
        .map(r -> new Tagged(keyOf(r.getString(0)), r.getLong(1), r.getString(2)));
  }

  private static String keyOf(String sparkPath) {
    try {
      return InputFile.key(new URI(sparkPath));
    } catch (URISyntaxException e) {
      return InputFile.key(new org.apache.hadoop.fs.Path(sparkPath).toUri());
    }
  }

  private static Iterator<Segment> segments(Iterator<Tagged> it) {
    List<Segment> out = new ArrayList<>();
    Split current = null;
    long n = 0;
    while (it.hasNext()) {
      Tagged t = it.next();
      if (current == null || current.start() != t.start() || !current.key().equals(t.key())) {
        if (current != null) {
          out.add(new Segment(current, n));
        }
        current = new Split(t.key(), t.start());
        n = 0;
      }
      n++;
    }
    if (current != null) {
      out.add(new Segment(current, n));
    }
    return out.iterator();
  }

  private static Iterator<SourceRow> number(Iterator<Tagged> it, Map<Split, Long> base, Map<String, Integer> index) {
    return new Iterator<>() {
      private String key;
      private long start = -1;
      private int file;
      private long next;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public SourceRow next() {
        Tagged t = it.next();
        if (t.start() != start || !t.key().equals(key)) {
          key = t.key();
          start = t.start();
          file = index.get(key);
          Long b = base.get(new Split(key, start));
          if (b == null) {
            throw new IllegalStateException("The input split " + key + "@" + start
                + " was not seen when counting lines; the input changed while it was read.");
          }
          next = b;
        }
        next++;
        return new SourceRow(file, next, t.payload());
      }
    };
  }
}
