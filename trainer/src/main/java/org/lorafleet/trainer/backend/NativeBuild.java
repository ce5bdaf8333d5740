package org.lorafleet.trainer.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses which of the shipped libnd4j CPU builds JavaCPP loads, by the CPU's features, before ND4J
 * is first touched in this JVM: the oneDNN + AVX-512 build where the CPU has AVX-512 (its matmuls go
 * through oneDNN: W1 +10%, W2 +16% tokens/s over the AVX2 build, docs/benchmarks.md, and it is the
 * only build whose bfloat16 matmul is right), else the AVX2 build, else the generic one. A build
 * missing from the classpath falls through to the next. {@code LORAFLEET_NATIVE} (environment) or
 * {@code -Dlorafleet.native} forces one; an explicit {@code org.bytedeco.javacpp.platform.extension}
 * is left alone.
 *
 * <p>Call {@link #select()} at every entry point (CLI, Spark task, benchmark) before any ND4J class
 * loads: JavaCPP reads the property once, when it loads the library.
 */
public final class NativeBuild {

  /** A libnd4j CPU build: its JavaCPP platform extension and the CPU flags it needs. */
  public enum Variant {
    ONEDNN_AVX512("onednn-avx512", "-onednn-avx512", Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")),
    AVX2("avx2", "-avx2", Set.of("avx2", "fma")),
    GENERIC("generic", "", Set.of());

    public final String id;
    final String extension;
    final Set<String> cpuFlags;

    Variant(String id, String extension, Set<String> cpuFlags) {
      this.id = id;
      this.extension = extension;
      this.cpuFlags = cpuFlags;
    }

    /** Whether this build's native library is on the classpath. */
    boolean shipped() {
      String dir = "linux-x86_64" + extension;
      return NativeBuild.class.getClassLoader()
          .getResource("org/nd4j/linalg/cpu/nativecpu/bindings/" + dir + "/libnd4jcpu.so") != null;
    }

    public static Variant parse(String id) {
      for (Variant v : values()) {
        if (v.id.equalsIgnoreCase(id.trim())) {
          return v;
        }
      }
      throw new IllegalArgumentException("LORAFLEET_NATIVE / lorafleet.native is '" + id + "'; use auto, "
          + Arrays.stream(values()).map(v -> v.id).collect(Collectors.joining(", ")) + ".");
    }
  }

  public static final String PROPERTY = "lorafleet.native";
  public static final String ENV = "LORAFLEET_NATIVE";
  static final String JAVACPP_EXTENSION = "org.bytedeco.javacpp.platform.extension";

  private static final Logger LOG = LoggerFactory.getLogger(NativeBuild.class);
  private static volatile String selected;

  private NativeBuild() {}

  /** Sets JavaCPP's platform extension for this JVM once and logs the choice; returns a description. */
  public static synchronized String select() {
    if (selected != null) {
      return selected;
    }
    String explicit = System.getProperty(JAVACPP_EXTENSION);
    if (explicit != null) {
      selected = "libnd4j build linux-x86_64" + explicit + " (set by " + JAVACPP_EXTENSION + ")";
    } else {
      String forced = System.getProperty(PROPERTY, System.getenv(ENV));
      Set<String> flags = cpuFlags();
      Variant v = choose(forced, flags, Variant::shipped);
      System.setProperty(JAVACPP_EXTENSION, v.extension);
      selected = "libnd4j build linux-x86_64" + v.extension + " ("
          + (forced != null && !forced.isBlank() && !forced.equalsIgnoreCase("auto") ? "forced by " + ENV
              : flags.isEmpty() ? "CPU features unknown" : "best shipped build this CPU supports") + ")";
    }
    LOG.info("Native backend: {}.", selected);
    return selected;
  }

  /**
   * The build to load: the forced one (refused when the CPU lacks its features or it is not shipped),
   * else the first of {@link Variant#values()} that is shipped and whose flags the CPU has.
   */
  static Variant choose(String forced, Set<String> cpuFlags, Predicate<Variant> shipped) {
    if (forced != null && !forced.isBlank() && !forced.equalsIgnoreCase("auto")) {
      Variant v = Variant.parse(forced);
      List<String> missing = v.cpuFlags.stream().filter(f -> !cpuFlags.isEmpty() && !cpuFlags.contains(f)).sorted()
          .toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(ENV + " asks for the " + v.id + " build, but this CPU lacks " + missing
            + "; it would stop on an illegal instruction. Use auto.");
      }
      if (!shipped.test(v)) {
        throw new IllegalStateException(ENV + " asks for the " + v.id + " build, which is not on the classpath "
            + "(nd4j-native classifier linux-x86_64" + v.extension + ").");
      }
      return v;
    }
    for (Variant v : Variant.values()) {
      if (cpuFlags.containsAll(v.cpuFlags) && shipped.test(v)) {
        return v;
      }
    }
    return Variant.GENERIC;
  }

  /** The CPU's feature flags from /proc/cpuinfo (lower case); empty where it cannot be read. */
  public static Set<String> cpuFlags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          String list = line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT);
          return Set.copyOf(Arrays.asList(list.split("\\s+")));
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not read /proc/cpuinfo: {}", e.toString());
    }
    return Set.of();
  }
}
