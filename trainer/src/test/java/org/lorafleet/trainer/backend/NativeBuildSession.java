package org.lorafleet.trainer.backend;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Picks the libnd4j build ({@link NativeBuild#select()}) when the test JVM's JUnit session opens, before
 * any test class can load ND4J, so tests run the build the CLI and Spark tasks run on this CPU.
 * Registered in META-INF/services of this module's and the orchestrator's tests.
 */
public final class NativeBuildSession implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    NativeBuild.select();
  }
}
