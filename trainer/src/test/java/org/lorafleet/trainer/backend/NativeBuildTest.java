package org.lorafleet.trainer.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.backend.NativeBuild.Variant;
import org.nd4j.nativeblas.NativeOpsHolder;

class NativeBuildTest {

  private static final Set<String> SKYLAKE = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw",
      "avx512dq", "avx512vl");
  private static final Set<String> HASWELL = Set.of("sse4_2", "avx", "avx2", "fma");

  @Test
  void theBestShippedBuildTheCpuRunsIsChosen() {
    assertEquals(Variant.ONEDNN_AVX512, NativeBuild.choose(null, SKYLAKE, v -> true));
    assertEquals(Variant.AVX2, NativeBuild.choose("auto", HASWELL, v -> true));
    assertEquals(Variant.GENERIC, NativeBuild.choose("", Set.of("sse4_2"), v -> true));
    assertEquals(Variant.GENERIC, NativeBuild.choose(null, Set.of(), v -> true), "unknown CPU: the safe build");
    // AVX-512F alone (no BW/VL, e.g. Knights Landing) is not enough for the AVX-512 build
    assertEquals(Variant.AVX2, NativeBuild.choose(null, Set.of("avx2", "fma", "avx512f", "avx512cd"), v -> true));
  }

  @Test
  void aBuildMissingFromTheClasspathFallsThrough() {
    assertEquals(Variant.AVX2, NativeBuild.choose(null, SKYLAKE, v -> v != Variant.ONEDNN_AVX512));
    assertEquals(Variant.GENERIC, NativeBuild.choose(null, SKYLAKE, v -> v == Variant.GENERIC));
  }

  @Test
  void aForcedBuildIsCheckedAgainstTheCpuAndTheClasspath() {
    assertEquals(Variant.AVX2, NativeBuild.choose("AVX2", SKYLAKE, v -> true));
    assertEquals(Variant.GENERIC, NativeBuild.choose("generic", SKYLAKE, v -> true));
    var e = assertThrows(IllegalStateException.class, () -> NativeBuild.choose("onednn-avx512", HASWELL, v -> true));
    assertTrue(e.getMessage().contains("avx512bw"), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> NativeBuild.choose("avx2", HASWELL, v -> v != Variant.AVX2));
    assertTrue(e.getMessage().contains("not on the classpath"), e.getMessage());
    var bad = assertThrows(IllegalArgumentException.class, () -> NativeBuild.choose("avx3", HASWELL, v -> true));
    assertTrue(bad.getMessage().contains("'avx3'") && bad.getMessage().contains("onednn-avx512"), bad.getMessage());
  }

  @Test
  void thisJvmLoadedTheBuildChosenForThisCpu() {
    // The test session chose before any ND4J class loaded (NativeBuildSession); the library's own build
    // information says whether oneDNN is linked in.
    String chosen = NativeBuild.select();
    Variant expected = NativeBuild.choose(System.getenv(NativeBuild.ENV), NativeBuild.cpuFlags(), Variant::shipped);
    String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
    assertTrue(chosen.contains("linux-x86_64" + expected.extension + " "), chosen + " vs " + expected);
    assertEquals(expected == Variant.ONEDNN_AVX512, info.contains("HAVE_ONEDNN"), info);
    assertTrue(Variant.GENERIC.shipped() && Variant.AVX2.shipped() && Variant.ONEDNN_AVX512.shipped(),
        "the cpu profile ships all three builds");
  }
}
