package org.lorafleet.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** What the application jar carries: no Spark or Hadoop, the clashing libraries relocated, ND4J's natives. */
class AppJarIT {

  @Test
  void carriesEverythingButSparkAndHadoopWithClashingLibrariesRelocated() throws IOException {
    try (JarFile jar = new JarFile(ClusterFixtures.appJar().toFile())) {
      assertEquals("org.lorafleet.orchestrator.submit.SparkApp",
          jar.getManifest().getMainAttributes().getValue("Main-Class"));
      List<String> names = jar.stream().map(e -> e.getName()).toList();
      for (String provided : List.of("org/apache/spark/", "org/apache/hadoop/", "scala/", "org/slf4j/")) {
        assertTrue(names.stream().noneMatch(n -> n.startsWith(provided)), provided + " must come from Spark");
      }
      for (String clashing : List.of("com/google/common/", "com/google/protobuf/", "com/google/gson/")) {
        assertTrue(names.stream().noneMatch(n -> n.startsWith(clashing)), clashing + " must be relocated");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("org/lorafleet/shaded/" + clashing)),
            clashing + " must be in the jar under org/lorafleet/shaded/");
      }
      for (String needed : List.of("org/lorafleet/orchestrator/cli/Main.class", "org/lorafleet/ps/rpc/",
          "org/lorafleet/trainer/", "io/grpc/netty/shaded/", "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-avx2/",
          "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx512/",
          "org/bytedeco/openblas/linux-x86_64/", "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend")) {
        assertTrue(names.stream().anyMatch(n -> n.startsWith(needed)), "missing " + needed);
      }
    }
  }
}
