package org.lorafleet.trainer.backend;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides between ND4J's CPU and CUDA backends. ND4J 1.0.0-M2.1's CUDA 11.6 binaries hold GPU code
 * for sm_37…sm_86 and no PTX, so a newer GPU (Hopper sm_90 and later) cannot run them: {@code cuda}
 * is refused there with a clear message, and {@code auto} falls back to the CPU with a warning.
 */
public final class BackendSelection {

  /** What the config asks for (model.backend). */
  public enum Requested { CPU, CUDA, AUTO }

  /** Compute capabilities ND4J 1.0.0-M2.1's CUDA binaries were built for. */
  public static final Set<String> SUPPORTED_SM = Set.of("sm_37", "sm_50", "sm_52", "sm_53", "sm_60", "sm_61",
      "sm_62", "sm_70", "sm_72", "sm_75", "sm_80", "sm_86");

  /** @param warning a sentence to show the user, or null */
  public record Decision(boolean cuda, String warning) {}

  private BackendSelection() {}

  /** Whether this build carries ND4J's CUDA backend (built with {@code mvn -Pcuda}). */
  public static boolean cudaInBuild() {
    try {
      Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, BackendSelection.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Decides for this machine and build (probes nvidia-smi only when CUDA is in play). */
  public static Decision decide(Requested requested) {
    if (requested == Requested.CPU) {
      return decide(requested, cudaInBuild(), List.of());
    }
    return decide(requested, cudaInBuild(), Gpu.probe());
  }

  /** The decision, given what the build holds and which GPUs the machine has. */
  public static Decision decide(Requested requested, boolean cudaInBuild, List<Gpu> gpus) {
    if (requested == Requested.CPU) {
      if (cudaInBuild) {
        throw new IllegalArgumentException("model.backend is cpu but this build carries ND4J's CUDA backend; "
            + "rebuild without -Pcuda to train on the CPU.");
      }
      return new Decision(false, null);
    }
    List<Gpu> unsupported = gpus.stream().filter(g -> !SUPPORTED_SM.contains(g.sm())).toList();
    String problem = null;
    if (!cudaInBuild) {
      problem = "this build has no CUDA backend (build with mvn -Pcuda)";
    } else if (gpus.isEmpty()) {
      problem = "no NVIDIA GPU was found (nvidia-smi is missing or lists none)";
    } else if (!unsupported.isEmpty()) {
      problem = unsupported.stream().map(g -> g + " [" + g.sm() + "]").collect(Collectors.joining(", "))
          + " is not covered by ND4J 1.0.0-M2.1's CUDA binaries, which hold code for sm_37…sm_86 only (no PTX)";
    }
    if (problem == null) {
      return new Decision(true, null);
    }
    if (requested == Requested.CUDA) {
      throw new IllegalArgumentException("model.backend is cuda, but " + problem
          + ". Use model.backend: cpu (or auto to fall back automatically).");
    }
    return new Decision(false, "model.backend is auto and " + problem + "; training on the CPU.");
  }
}
