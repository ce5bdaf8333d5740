package org.lorafleet.trainer.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** A GPU as nvidia-smi reports it, with its CUDA compute capability (e.g. 8.6, 9.0). */
public record Gpu(String name, int major, int minor) {

  /** "sm_86" */
  public String sm() {
    return "sm_" + major + minor;
  }

  /**
   * Parses {@code nvidia-smi --query-gpu=name,compute_cap --format=csv,noheader} output, one GPU per
   * line ("NVIDIA H100 80GB HBM3, 9.0"). Lines that do not parse are skipped.
   */
  public static List<Gpu> parse(String csv) {
    List<Gpu> out = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      int comma = line.lastIndexOf(',');
      if (comma < 0) {
        continue;
      }
      String cap = line.substring(comma + 1).trim();
      String[] mm = cap.split("\\.");
      if (mm.length != 2 || !mm[0].matches("\\d+") || !mm[1].matches("\\d+")) {
        continue;
      }
      out.add(new Gpu(line.substring(0, comma).trim(), Integer.parseInt(mm[0]), Integer.parseInt(mm[1])));
    }
    return out;
  }

  /** The GPUs of this machine; empty when nvidia-smi is missing or fails. Blocks up to 10 s. */
  public static List<Gpu> probe() {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv,noheader")
          .redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? parse(out) : List.of();
    } catch (IOException e) {
      return List.of(); // no nvidia-smi: no NVIDIA driver on this machine
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (compute capability %d.%d)", name, major, minor);
  }
}
