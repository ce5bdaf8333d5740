package org.lorafleet.orchestrator.submit;

import org.lorafleet.orchestrator.cli.Main;

/**
 * {@code spark-submit --class org.lorafleet.orchestrator.submit.SparkApp lorafleet-app.jar train -c job.yaml}:
 * the {@code lorafleet} command line of {@link Main}, ending the way the deploy mode needs. In YARN cluster
 * mode the driver runs inside the ApplicationMaster, which reports the application's final status only when
 * the main method returns: {@code System.exit} there would make YARN record a failure ("Shutdown hook called
 * before final status was reported") even after a successful run. So there this returns normally on success
 * and throws on failure; everywhere else it exits with the command's exit code, as {@link Main} does.
 */
public final class SparkApp {

  private SparkApp() {}

  public static void main(String[] args) {
    int code = Main.commandLine().execute(args);
    if (!inYarnApplicationMaster()) {
      System.exit(code);
    }
    if (code != 0) {
      throw new IllegalStateException("lorafleet " + (args.length > 0 ? args[0] : "") + " failed with exit code "
          + code + "; the reason is printed above, in the ApplicationMaster's stderr.");
    }
  }

  /** The ApplicationMaster sets these system properties before it starts the driver (YARN cluster mode). */
  static boolean inYarnApplicationMaster() {
    return System.getProperty("spark.yarn.app.id") != null
        && "cluster".equals(System.getProperty("spark.submit.deployMode"));
  }
}
