package org.lorafleet.orchestrator.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the curation stages did: {@code report.json} (machine-readable, also embedded in a training
 * run's summary.json as {@code data_quality}) and {@code report.html} (the same with a bar chart of
 * the rows each stage removed, readable in any browser without scripts).
 *
 * @param inputRows  training rows that entered the first stage
 * @param outputRows training rows after the last
 * @param stages     the stages that ran, in order
 */
public record CurationReport(long inputRows, long outputRows, List<StageReport> stages) {

  /** Characters of a removed row shown in the report. */
  static final int EXAMPLE_CHARS = 300;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public CurationReport {
    stages = List.copyOf(stages);
  }

  /** The report as JSON: input_rows, output_rows, and per stage {stage, rows_in, rows_out, removed, ...}. */
  public ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("input_rows", inputRows);
    root.put("output_rows", outputRows);
    ArrayNode list = root.putArray("stages");
    for (StageReport s : stages) {
      ObjectNode o = list.addObject();
      o.put("stage", s.stage());
      o.put("rows_in", s.rowsIn());
      o.put("rows_out", s.rowsOut());
      o.put("removed", s.removed());
      if (!s.counts().isEmpty()) {
        ObjectNode c = o.putObject(s.stage().equals("pii") ? "redacted" : "removed_by_source");
        s.counts().forEach(c::put);
      }
      ArrayNode ex = o.putArray("examples");
      for (RemovedRow r : s.examples()) {
        ObjectNode e = ex.addObject();
        e.put("where", r.where());
        e.put("reason", r.reason());
        e.put("row", clip(r.payload()));
      }
    }
    return root;
  }

  public String json() {
    try {
      return JSON.writeValueAsString(toJson()) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Could not write the curation report as JSON.", e);
    }
  }

  /** A few lines for the console: rows in and out, and what each stage removed or redacted. */
  public String summary() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Data quality: %d training rows in, %d out (%s "
        + "removed)", inputRows, outputRows, percent(inputRows - outputRows, inputRows)));
    for (StageReport st : stages) {
      s.append(String.format(Locale.ROOT, "%n  %-16s %8d removed", st.stage(), st.removed()));
      if (!st.counts().isEmpty()) {
        s.append("  (").append(details(st.counts())).append(')');
      }
    }
    return s.toString();
  }

  /** A self-contained HTML page: a table of the stages, a bar per stage, and the examples. */
  public String html(String title) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}pre{white-space:pre-wrap;background:#f6f6f6;"
            + "padding:4px}</style></head><body>\n");
    h.append("<h1>").append(escape(title)).append("</h1>\n");
    h.append(String.format(Locale.ROOT, "<p id=\"summary\">%d training rows in, %d out (%s removed).</p>%n",
        inputRows, outputRows, percent(inputRows - outputRows, inputRows)));
    h.append(chart());
    h.append("<table id=\"stages\"><tr><th>stage</th><th>rows in</th><th>rows out</th><th>removed</th>"
        + "<th>details</th></tr>\n");
    for (StageReport s : stages) {
      h.append(String.format(Locale.ROOT, "<tr data-stage=\"%s\"><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%s"
          + "</td></tr>%n", s.stage(), s.stage(), s.rowsIn(), s.rowsOut(), s.removed(), escape(details(s.counts()))));
    }
    h.append("</table>\n");
    for (StageReport s : stages) {
      if (s.examples().isEmpty()) {
        continue;
      }
      h.append("<h2>Removed by ").append(s.stage()).append("</h2>\n");
      for (RemovedRow r : s.examples()) {
        h.append("<p><b>").append(escape(r.where())).append("</b>: ").append(escape(r.reason())).append("</p><pre>")
            .append(escape(clip(r.payload()))).append("</pre>\n");
      }
    }
    return h.append("</body></html>\n").toString();
  }

  /** Horizontal bars, one per stage, of the rows it removed (scaled to the largest). */
  private String chart() {
    int barHeight = 22;
    int labelWidth = 130;
    int width = 600;
    long max = 1;
    for (StageReport s : stages) {
      max = Math.max(max, s.removed());
    }
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg id=\"removed-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
            + "aria-label=\"rows removed per stage\">%n", width, barHeight * stages.size() + 10));
    for (int i = 0; i < stages.size(); i++) {
      StageReport s = stages.get(i);
      double w = (width - labelWidth - 80) * (double) s.removed() / max;
      int y = 5 + i * barHeight;
      svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"13\">%s</text>"
              + "<rect class=\"bar\" data-stage=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#4e79a7\"/>"
              + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>%n", y + 15, s.stage(), s.stage(), labelWidth,
          y + 2, w, barHeight - 6, labelWidth + w + 5, y + 15, s.removed()));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String details(Map<String, Long> counts) {
    StringBuilder s = new StringBuilder();
    counts.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
    return s.toString();
  }

  private static String percent(long part, long whole) {
    return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static String clip(String s) {
    return s.length() <= EXAMPLE_CHARS ? s : s.substring(0, EXAMPLE_CHARS) + "…";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
