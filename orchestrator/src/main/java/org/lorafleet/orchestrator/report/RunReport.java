package org.lorafleet.orchestrator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lorafleet.orchestrator.io.JsonNumbers;

/**
 * {@code report.html} of a training run, made from what the run left: {@code summary.json} (totals,
 * workers, data statistics, sample generations, config, versions) and {@code metrics.jsonl} (curves).
 * Self-contained: inline SVG charts, no scripts, no external resources.
 */
public final class RunReport {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Colours of the train and eval curves. */
  public static final String TRAIN = "#4e79a7";
  public static final String EVAL = "#e15759";
  private static final String OTHER = "#59a14f";

  private RunReport() {}

  /** The curves of a metrics.jsonl, as [step, value] points by metrics key; unreadable lines are skipped. */
  static Map<String, List<double[]>> curves(String metricsJsonl) {
    Map<String, List<double[]>> c = new LinkedHashMap<>();
    for (String key : new String[] {"loss", "eval_loss", "lr", "tokens_per_s", "step_time_s", "grad_norm"}) {
      c.put(key, new ArrayList<>());
    }
    for (JsonNode n : lines(metricsJsonl)) {
      for (Map.Entry<String, List<double[]>> e : c.entrySet()) {
        if (n.has(e.getKey())) {
          double v = JsonNumbers.read(n.get(e.getKey()));
          if (Double.isFinite(v)) {
            e.getValue().add(new double[] {n.get("step").asLong(), v});
          }
        }
      }
    }
    return c;
  }

  /**
   * Each worker's timeline in a metrics.jsonl ({@code worker_tokens_per_s}, {@code worker_step_time_s},
   * {@code worker_rss_bytes} lines), as [step, value] points by worker and key.
   */
  static Map<Integer, Map<String, List<double[]>>> workerCurves(String metricsJsonl) {
    Map<Integer, Map<String, List<double[]>>> byWorker = new java.util.TreeMap<>();
    for (JsonNode n : lines(metricsJsonl)) {
      if (!n.path("worker").isIntegralNumber()) {
        continue;
      }
      Map<String, List<double[]>> c = byWorker.computeIfAbsent(n.get("worker").asInt(), w -> new LinkedHashMap<>());
      for (String key : new String[] {"worker_tokens_per_s", "worker_step_time_s", "worker_rss_bytes"}) {
        double v = JsonNumbers.read(n.get(key));
        if (Double.isFinite(v)) {
          c.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {n.get("step").asLong(), v});
        }
      }
    }
    return byWorker;
  }

  /** The JSON objects with an integral step among the lines of a metrics.jsonl; torn lines are skipped. */
  private static List<JsonNode> lines(String metricsJsonl) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : metricsJsonl == null ? new String[0] : metricsJsonl.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        if (n.path("step").isIntegralNumber()) {
          out.add(n);
        }
      } catch (JsonProcessingException torn) {
        // a line cut short by a killed run
      }
    }
    return out;
  }

  /** One series per worker of {@code key}, scaled by {@code scale}, in the worker's palette colour. */
  private static List<SvgPlot.Series> perWorker(Map<Integer, Map<String, List<double[]>>> byWorker, String key,
      double scale) {
    List<SvgPlot.Series> series = new ArrayList<>();
    byWorker.forEach((w, c) -> series.add(new SvgPlot.Series("worker " + w, SvgPlot.colorOf(w),
        c.getOrDefault(key, List.of()).stream().map(p -> new double[] {p[0], p[1] * scale}).toList(), true,
        List.of())));
    return series;
  }

  public static String html(JsonNode summary, String metricsJsonl) {
    String name = summary.path("name").asText("run");
    Map<String, List<double[]>> c = curves(metricsJsonl);
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Run ").append(Html.escape(name))
        .append("</title>\n<style>").append(Html.STYLE).append("</style></head><body>\n");
    h.append("<h1>Run ").append(Html.escape(name)).append("</h1>\n<p class=\"muted\" id=\"totals\">")
        .append(Html.escape(totals(summary))).append("</p>\n");

    h.append("<h2>Curves</h2>\n<div class=\"charts\">");
    SvgPlot.XAxis steps = SvgPlot.XAxis.linear("step");
    Html.figure(h, "Loss (train per step, eval per evaluation)", SvgPlot.chart("loss", steps, "loss", List.of(
        new SvgPlot.Series("train", TRAIN, c.get("loss"), true, List.of()),
        new SvgPlot.Series("eval", EVAL, c.get("eval_loss"), true, List.of()))));
    Html.figure(h, "Learning rate", SvgPlot.chart("lr", steps, "lr", List.of(
        new SvgPlot.Series("lr", OTHER, c.get("lr"), true, List.of()))));
    Html.figure(h, "Throughput (all workers)", SvgPlot.chart("throughput", steps, "tokens/s", List.of(
        new SvgPlot.Series("tokens/s", TRAIN, c.get("tokens_per_s"), true, List.of()))));
    Html.figure(h, "Step time", SvgPlot.chart("step-time", steps, "seconds", List.of(
        new SvgPlot.Series("step time", OTHER, c.get("step_time_s"), true, List.of()))));
    h.append("</div>\n<p class=\"muted\"><span class=\"swatch\" style=\"background:").append(TRAIN)
        .append("\"></span>train <span class=\"swatch\" style=\"background:").append(EVAL).append("\"></span>eval</p>\n");

    Map<Integer, Map<String, List<double[]>>> byWorker = workerCurves(metricsJsonl);
    h.append("<h2>Workers over time</h2>\n<div class=\"charts\">");
    Html.figure(h, "Throughput per worker (tokens per wall second)", SvgPlot.chart("worker-throughput", steps,
        "tokens/s", perWorker(byWorker, "worker_tokens_per_s", 1)));
    Html.figure(h, "Memory per worker (resident set of its JVM)", SvgPlot.chart("worker-memory", steps, "MiB",
        perWorker(byWorker, "worker_rss_bytes", 1.0 / (1 << 20))));
    h.append("</div>\n<p class=\"muted\">");
    byWorker.keySet().forEach(w -> h.append("<span class=\"swatch\" style=\"background:").append(SvgPlot.colorOf(w))
        .append("\"></span>worker ").append(w).append(' '));
    h.append("</p>\n");

    h.append("<h2>Workers</h2>\n<table id=\"workers\"><tr><th>worker</th><th>host</th><th>pid</th><th>threads</th>"
        + "<th>steps</th><th>tokens</th><th>compute s</th><th>wait s</th><th>tokens/s computing</th>"
        + "<th>peak RSS of its JVM</th></tr>");
    for (JsonNode w : summary.path("workers")) {
      double compute = w.path("compute_s").asDouble();
      long rss = w.path("peak_rss_bytes").asLong(-1);
      h.append("<tr><td>").append(w.path("worker").asInt()).append("</td><td>").append(Html.escape(w.path("host").asText()))
          .append("</td><td class=\"num\">").append(w.path("pid").asLong()).append("</td><td class=\"num\">")
          .append(w.path("threads").asInt()).append("</td><td class=\"num\">").append(w.path("steps_computed").asLong())
          .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%,d", w.path("tokens").asLong()))
          .append("</td>").append(num("%.1f", compute)).append(num("%.1f", w.path("wait_s").asDouble()))
          .append(num("%,.0f", compute > 0 ? w.path("tokens").asLong() / compute : Double.NaN))
          .append("<td class=\"num\">").append(rss < 0 ? "-" : String.format(Locale.ROOT, "%,.0f MiB", rss / 1048576.0))
          .append("</td></tr>");
    }
    h.append("</table>\n");

    h.append("<h2>Data</h2>\n<table id=\"data\">");
    summary.path("data").fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode()) {
        h.append("<tr><th>").append(Html.escape(e.getKey().replace('_', ' '))).append("</th><td class=\"num\">")
            .append(Html.escape(e.getValue().asText())).append("</td></tr>");
      }
    });
    h.append("</table>\n");

    JsonNode samples = summary.path("samples");
    if (samples.size() > 0) {
      h.append("<h2>Sample generations (greedy), before and after</h2>\n<table id=\"samples\"><tr><th>prompt</th>"
          + "<th>base model</th><th>with the trained adapter</th></tr>");
      for (JsonNode s : samples) {
        h.append("<tr><td><pre>").append(Html.escape(s.path("prompt").asText())).append("</pre></td><td><pre>")
            .append(Html.escape(s.path("base").asText())).append("</pre></td><td><pre>")
            .append(Html.escape(s.path("adapted").asText())).append("</pre></td></tr>");
      }
      h.append("</table>\n");
    }

    h.append("<h2>Configuration</h2>\n<pre id=\"config\">").append(Html.escape(summary.path("config").asText()))
        .append("</pre>\n<p class=\"muted\">");
    List<String> versions = new ArrayList<>();
    summary.path("versions").fields().forEachRemaining(e -> versions.add(e.getKey() + " " + e.getValue().asText()));
    h.append(Html.escape(String.join(" · ", versions))).append("</p>\n</body></html>\n");
    return h.toString();
  }

  /** One sentence of totals: steps, tokens, speed, time and the eval loss before and after. */
  public static String totals(JsonNode s) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "%d of %d step(s), %,d tokens at %,.0f tokens/s in %.0f s", s.path("steps").asLong(),
        s.path("planned_steps").asLong(), s.path("tokens").asLong(), s.path("tokens_per_s").asDouble(),
        s.path("wall_time_s").asDouble()));
    double before = JsonNumbers.read(s.get("initial_eval_loss"));
    double after = JsonNumbers.read(s.get("final_eval_loss"));
    if (Double.isFinite(before) || Double.isFinite(after)) {
      t.append(String.format(Locale.ROOT, "; eval loss %.4f → %.4f", before, after));
    }
    if (s.hasNonNull("resumed_from")) {
      t.append("; resumed from ").append(s.get("resumed_from").asText());
    }
    if (s.path("model").has("commit")) {
      t.append("; model ").append(s.path("model").path("hub_id").asText()).append(" at commit ")
          .append(s.path("model").path("commit").asText());
    }
    return t.append('.').toString();
  }

  private static String num(String format, double v) {
    return "<td class=\"num\">" + (Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-") + "</td>";
  }
}
