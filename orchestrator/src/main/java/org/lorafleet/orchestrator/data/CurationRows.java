package org.lorafleet.orchestrator.data;

import java.io.Serializable;
import java.util.List;
import org.lorafleet.orchestrator.quality.CurationRow;

/** Converts input rows to the rows the curation stages judge, and back. */
final class CurationRows implements Serializable {

  private static final long serialVersionUID = 1L;

  private final DataSpec spec;
  private final List<InputFile> files;
  private final long seed;
  private final RowFormatter formatter;

  CurationRows(DataSpec spec, List<InputFile> files, long seed) {
    this.spec = spec;
    this.files = List.copyOf(files);
    this.seed = seed;
    this.formatter = new RowFormatter(spec); // generic chat rendering: the text only keys the stages
  }

  /** The row with its eval membership and training text (null when blank or malformed). */
  CurationRow toCuration(SourceRow row) {
    InputFile f = files.get(row.fileIdx());
    boolean blank = f.kind() != InputFile.Kind.PARQUET && row.payload().isBlank();
    String text = null;
    if (!blank) {
      try {
        StringBuilder s = new StringBuilder();
        for (RowFormatter.Segment seg : formatter.format(f.kind(), row.payload())) {
          s.append(seg.text());
        }
        text = s.toString();
      } catch (BadRow b) {
        text = null; // the encoder reports it with its reason
      }
    }
    return new CurationRow(CurationRow.id(row.fileIdx(), row.line()), f.where(row.line()),
        RowEncoder.isEval(spec, files, seed, row), text, row.payload(), f.kind() != InputFile.Kind.TEXT);
  }

  static SourceRow toSource(CurationRow r) {
    return new SourceRow(r.fileIdx(), r.line(), r.payload());
  }
}
