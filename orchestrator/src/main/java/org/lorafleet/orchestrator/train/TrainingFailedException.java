package org.lorafleet.orchestrator.train;

/** The training stage failed for good (Spark exhausted its retries); the message names the root cause. */
public final class TrainingFailedException extends RuntimeException {

  TrainingFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Wraps whatever Spark threw (often an undeclared checked SparkException). */
  static RuntimeException from(Exception e) {
    if (e instanceof TrainingFailedException t) {
      return t;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = firstLine(root.getMessage() != null ? root.getMessage() : root.toString());
    String spark = firstLine(e.getMessage() != null ? e.getMessage() : "");
    for (String line : (e.getMessage() == null ? "" : e.getMessage()).split("\n")) {
      if (line.contains("Exception: ") || line.contains("Failure: ")) {
        first = line.substring(line.indexOf(": ") + 2).trim(); // the worker's own message
        break;
      }
    }
    return new TrainingFailedException("The training stage failed and Spark stopped retrying it: " + first
        + (spark.isBlank() || spark.equals(first) ? "" : " (Spark: " + spark + ")"), e);
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
