package org.lorafleet.trainer.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.backend.BackendSelection.Requested;

/** Backend choice from nvidia-smi output (recorded strings: no GPU is available here). */
class BackendSelectionTest {

  private static final List<Gpu> H100 = Gpu.parse("NVIDIA H100 80GB HBM3, 9.0\n");
  private static final List<Gpu> A100 = Gpu.parse("NVIDIA A100-SXM4-40GB, 8.0\nNVIDIA A100-SXM4-40GB, 8.0\n");

  @Test
  void parsesNvidiaSmiCsv() {
    assertEquals(List.of(new Gpu("NVIDIA H100 80GB HBM3", 9, 0)), H100);
    assertEquals(2, A100.size());
    assertEquals("sm_80", A100.get(0).sm());
    assertEquals(List.of(), Gpu.parse("NVIDIA-SMI has failed because it couldn't communicate with the driver.\n"));
    assertEquals(List.of(new Gpu("Tesla T4", 7, 5)), Gpu.parse("garbage\nTesla T4, 7.5\n"));
  }

  @Test
  void cudaOnHopperIsRefusedNamingTheCapability() {
    String msg = assertThrows(IllegalArgumentException.class,
        () -> BackendSelection.decide(Requested.CUDA, true, H100)).getMessage();
    assertTrue(msg.contains("sm_90") && msg.contains("sm_37…sm_86") && msg.contains("model.backend"), msg);
  }

  @Test
  void autoFallsBackToTheCpuWithAWarning() {
    BackendSelection.Decision hopper = BackendSelection.decide(Requested.AUTO, true, H100);
    assertFalse(hopper.cuda());
    assertTrue(hopper.warning().contains("sm_90") && hopper.warning().contains("CPU"), hopper.warning());
    BackendSelection.Decision cpuBuild = BackendSelection.decide(Requested.AUTO, false, A100);
    assertFalse(cpuBuild.cuda());
    assertTrue(cpuBuild.warning().contains("-Pcuda"), cpuBuild.warning());
    assertFalse(BackendSelection.decide(Requested.AUTO, true, List.of()).cuda());
  }

  @Test
  void supportedGpusUseCudaAndCpuIsPlain() {
    BackendSelection.Decision a100 = BackendSelection.decide(Requested.CUDA, true, A100);
    assertTrue(a100.cuda());
    assertNull(a100.warning());
    assertFalse(BackendSelection.decide(Requested.CPU, false, A100).cuda());
    assertThrows(IllegalArgumentException.class, () -> BackendSelection.decide(Requested.CPU, true, List.of()));
    String noBuild = assertThrows(IllegalArgumentException.class,
        () -> BackendSelection.decide(Requested.CUDA, false, A100)).getMessage();
    assertTrue(noBuild.contains("-Pcuda"), noBuild);
  }

  @Test
  void thisBuildIsTheCpuBuild() {
    assertFalse(BackendSelection.cudaInBuild(), "the default build must not carry the CUDA backend");
    assertFalse(BackendSelection.decide(Requested.CPU).cuda());
  }
}
