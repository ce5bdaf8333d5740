package org.lorafleet.orchestrator.sweep;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Renders a local HTML file in headless Chromium (a real browser, installed by .ci/run) and returns
 * the screenshot. The flags keep Chromium off the network, which this machine does not have.
 */
public final class ChromiumScreenshot {

  private ChromiumScreenshot() {}

  public static Path chromium() {
    String env = System.getenv("LORAFLEET_CHROMIUM");
    for (String c : env != null ? List.of(env) : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    throw new AssertionError("No Chromium found (tried " + (env != null ? env : "/usr/bin/chromium, "
        + "/usr/bin/chromium-browser, /usr/bin/google-chrome") + "). Install it with 'apt-get install chromium' "
        + "(.ci/run does) or point LORAFLEET_CHROMIUM at a Chromium or Chrome binary.");
  }

  /** Blocks until Chromium has written {@code png} (at most 2 minutes). */
  public static BufferedImage render(Path html, Path png, int width, int height) {
    try {
      Files.createDirectories(png.getParent());
      Files.deleteIfExists(png);
      Path profile = Files.createTempDirectory("lorafleet-chromium");
      Path log = Files.createTempFile("lorafleet-chromium", ".log");
      Process p = new ProcessBuilder(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + profile,
          "--window-size=" + width + "," + height, "--screenshot=" + png, html.toUri().toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("Chromium did not finish within 2 minutes:\n" + Files.readString(log));
      }
      if (p.exitValue() != 0 || !Files.exists(png)) {
        throw new AssertionError("Chromium exited with " + p.exitValue() + " and wrote "
            + (Files.exists(png) ? "" : "no ") + "screenshot:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return ImageIO.read(png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while Chromium rendered " + html, e);
    }
  }

  /** Pixels within a small distance of {@code hex} (#rrggbb), allowing for antialiasing at the core of strokes. */
  public static int pixelsOf(BufferedImage img, String hex) {
    int r = Integer.parseInt(hex.substring(1, 3), 16);
    int g = Integer.parseInt(hex.substring(3, 5), 16);
    int b = Integer.parseInt(hex.substring(5, 7), 16);
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int d = Math.abs((rgb >> 16 & 255) - r) + Math.abs((rgb >> 8 & 255) - g) + Math.abs((rgb & 255) - b);
        if (d <= 24) {
          n++;
        }
      }
    }
    return n;
  }
}
