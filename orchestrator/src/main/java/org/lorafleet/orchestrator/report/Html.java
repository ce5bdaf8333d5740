package org.lorafleet.orchestrator.report;

/** What the HTML reports share: escaping and the page style (self-contained: no scripts, no external files). */
public final class Html {

  /** The style of the sweep and run reports. */
  public static final String STYLE = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}"
      + "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
      + "table{border-collapse:collapse;background:#fff}td,th{padding:4px 10px;border-bottom:1px solid #e4e4e4;"
      + "text-align:left;white-space:nowrap}th{background:#f0f0f0}td.num{text-align:right}"
      + ".swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}"
      + ".charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0;background:#fff;padding:8px;"
      + "border:1px solid #e4e4e4}figcaption{font-weight:600;margin-bottom:4px}.axis{font-size:11px;fill:#555}"
      + ".muted{color:#777}.failed{color:#b00020}.empty{fill:#999}"
      + "pre{background:#fff;border:1px solid #e4e4e4;padding:8px;overflow:auto;white-space:pre-wrap}";

  private Html() {}

  /** Text as HTML content or attribute value. */
  public static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** A chart with its caption. */
  public static void figure(StringBuilder h, String caption, String svg) {
    h.append("<figure><figcaption>").append(escape(caption)).append("</figcaption>").append(svg).append("</figure>");
  }
}
