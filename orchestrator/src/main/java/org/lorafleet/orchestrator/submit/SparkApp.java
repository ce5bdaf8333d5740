package org.lorafleet.orchestrator.submit;

import org.lorafleet.orchestrator.cli.Main;

/**
 * {@code spark-submit lorafleet-app.jar train -c job.yaml}: the application jar's Main-Class, the
 * {@code lorafleet} command line of {@link Main} (which returns instead of exiting inside a YARN
 * ApplicationMaster, so cluster mode reports its real final status).
 */
public final class SparkApp {

  private SparkApp() {}

  public static void main(String[] args) {
    Main.main(args);
  }
}
