package org.lorafleet.orchestrator.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lorafleet.orchestrator.config.SweepConfig;
import org.lorafleet.orchestrator.config.SweepParameter;
import org.lorafleet.orchestrator.report.Html;
import org.lorafleet.orchestrator.report.SvgPlot;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with
 * the leaderboard, every trial's training and eval loss curves, and the metric against each swept
 * parameter. Each trial keeps one colour throughout.
 */
final class SweepReport {

  private SweepReport() {}

  static String colorOf(int index) {
    return SvgPlot.colorOf(index);
  }

  /**
   * @param ranked trials in leaderboard order
   * @param curves each trial's metrics by trial id (missing: nothing plotted yet)
   */
  static String html(SweepConfig sweep, List<SweepParameter> params, List<TrialRecord> ranked,
      Map<String, TrialMetrics> curves) {
    List<TrialRecord> byId = new ArrayList<>(ranked);
    byId.sort(java.util.Comparator.comparing(TrialRecord::id));
    Map<String, String> color = new java.util.HashMap<>();
    for (int i = 0; i < byId.size(); i++) {
      color.put(byId.get(i).id(), colorOf(i));
    }
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep ")
        .append(Html.escape(sweep.name())).append("</title>\n<style>")
        .append(Html.STYLE)
        .append("</style></head><body>\n");
    long done = ranked.stream().filter(r -> r.status() == TrialRecord.Status.COMPLETED).count();
    long stopped = ranked.stream().filter(r -> r.status() == TrialRecord.Status.STOPPED).count();
    long failed = ranked.stream().filter(r -> r.status() == TrialRecord.Status.FAILED).count();
    h.append("<h1>Sweep ").append(Html.escape(sweep.name())).append("</h1>\n<p class=\"muted\">")
        .append(ranked.size()).append(" trials (").append(sweep.method().yamlName()).append("): ").append(done)
        .append(" completed, ").append(stopped).append(" stopped early, ").append(failed).append(" failed, ")
        .append(ranked.size() - done - stopped - failed).append(" not finished. Ranked by ")
        .append(Html.escape(sweep.metric().yamlName())).append(" (").append(sweep.goal().yamlName()).append(").</p>\n");

    h.append("<h2>Leaderboard</h2>\n<table id=\"leaderboard\"><tr><th>#</th><th>trial</th><th>status</th><th>")
        .append(Html.escape(sweep.metric().yamlName())).append("</th>");
    List<String> keys = Leaderboard.paramKeys(ranked);
    keys.forEach(k -> h.append("<th>").append(Html.escape(k)).append("</th>"));
    h.append("<th>steps</th><th>time</th></tr>\n");
    for (int i = 0; i < ranked.size(); i++) {
      TrialRecord r = ranked.get(i);
      h.append("<tr data-trial=\"").append(r.id()).append("\"><td class=\"num\">").append(i + 1)
          .append("</td><td><span class=\"swatch\" style=\"background:").append(color.get(r.id())).append("\"></span>")
          .append(r.id()).append("</td><td").append(r.status() == TrialRecord.Status.FAILED ? " class=\"failed\"" : "")
          .append(r.error() != null ? " title=\"" + Html.escape(r.error()) + "\"" : "").append('>')
          .append(r.status().yamlName()).append("</td><td class=\"num\">")
          .append(Double.isFinite(r.metric()) ? String.format(Locale.ROOT, "%.4f", r.metric()) : "–").append("</td>");
      keys.forEach(k -> h.append("<td>").append(Html.escape(r.params().getOrDefault(k, ""))).append("</td>"));
      h.append("<td class=\"num\">").append(r.steps()).append(r.plannedSteps() > 0 ? " / " + r.plannedSteps() : "")
          .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%.0f s", r.seconds()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Loss curves</h2>\n<div class=\"charts\">");
    List<SvgPlot.Series> train = new ArrayList<>();
    List<SvgPlot.Series> eval = new ArrayList<>();
    for (TrialRecord r : byId) {
      TrialMetrics m = curves.getOrDefault(r.id(), new TrialMetrics(List.of(), List.of()));
      train.add(new SvgPlot.Series(r.id(), color.get(r.id()), points(m.trainLoss()), true, List.of()));
      List<TrialMetrics.Point> evals = m.evalLoss().stream().filter(p -> Double.isFinite(p.value())).toList();
      eval.add(new SvgPlot.Series(r.id(), color.get(r.id()), points(evals), true,
          evals.stream().map(p -> r.id() + " step " + p.step() + ": eval loss " + SvgPlot.fmt(p.value())).toList()));
    }
    Html.figure(h, "Training loss", SvgPlot.chart("train-loss", SvgPlot.XAxis.linear("step"), "training loss", train));
    Html.figure(h, "Eval loss", SvgPlot.chart("eval-loss", SvgPlot.XAxis.linear("step"), "eval loss", eval));
    h.append("</div>\n");

    h.append("<h2>").append(Html.escape(sweep.metric().yamlName())).append(" against each parameter</h2>\n")
        .append("<div class=\"charts\">");
    for (int k = 0; k < keys.size(); k++) {
      String key = keys.get(k);
      SweepParameter p = params.stream().filter(x -> x.key().equals(key)).findFirst().orElse(null);
      SvgPlot.XAxis axis = axisFor(key, p, ranked);
      List<SvgPlot.Series> pts = new ArrayList<>();
      for (TrialRecord r : byId) {
        String v = r.params().get(key);
        if (v == null || !Double.isFinite(r.metric())) {
          continue;
        }
        double x = axis.categories().isEmpty() ? Double.parseDouble(v) : axis.categories().indexOf(v);
        pts.add(new SvgPlot.Series(r.id(), color.get(r.id()), List.<double[]>of(new double[] {x, r.metric()}), false,
            List.of(r.id() + ": " + key + "=" + v + ", " + sweep.metric().yamlName() + " "
                + SvgPlot.fmt(r.metric()) + " (" + r.status().yamlName() + ")")));
      }
      Html.figure(h, sweep.metric().yamlName() + " vs " + key,
          SvgPlot.chart("param-" + k, axis, sweep.metric().yamlName(), pts));
    }
    h.append("</div>\n<p class=\"muted\">Stopped trials are plotted at the metric they were stopped with. ")
        .append("Generated by lorafleet sweep; every file behind it is in this folder.</p>\n</body></html>\n");
    return h.toString();
  }

  private static SvgPlot.XAxis axisFor(String key, SweepParameter p, List<TrialRecord> trials) {
    List<String> values = new ArrayList<>();
    trials.stream().map(t -> t.params().get(key)).filter(v -> v != null && !values.contains(v)).forEach(values::add);
    boolean numeric = values.stream().allMatch(SweepReport::isNumber);
    if (!numeric) {
      if (p != null && p.kind() == SweepParameter.Kind.CHOICE) {
        values.sort(java.util.Comparator.comparingInt(p.choices()::indexOf));
      }
      return new SvgPlot.XAxis(key, false, values);
    }
    double lo = values.stream().mapToDouble(Double::parseDouble).min().orElse(1);
    double hi = values.stream().mapToDouble(Double::parseDouble).max().orElse(1);
    boolean log = p != null && p.kind() == SweepParameter.Kind.LOG_UNIFORM || lo > 0 && hi / lo >= 20;
    return new SvgPlot.XAxis(key + (log ? " (log scale)" : ""), log, List.of());
  }

  private static boolean isNumber(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static List<double[]> points(List<TrialMetrics.Point> ps) {
    return ps.stream().map(p -> new double[] {p.step(), p.value()}).toList();
  }
}
