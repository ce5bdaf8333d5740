/**
 * Self-contained HTML reports (inline SVG charts, no scripts or external files): the run report
 * ({@link org.lorafleet.orchestrator.report.RunReport}, {@code <output>/report.html}) and the charts
 * and style the sweep report shares ({@link org.lorafleet.orchestrator.report.SvgPlot},
 * {@link org.lorafleet.orchestrator.report.Html}).
 */
package org.lorafleet.orchestrator.report;
