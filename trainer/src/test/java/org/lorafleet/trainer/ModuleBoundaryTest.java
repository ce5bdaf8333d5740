package org.lorafleet.trainer;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer is ND4J plus the shared tensor math: the parameter server, gRPC, Netty and Google's
 * protobuf are not on its classpath (the orchestrator joins the trainer and the server). ND4J's own
 * relocated protobuf ({@code org.nd4j.shade.protobuf}) is ND4J's and stays.
 */
class ModuleBoundaryTest {

  @ParameterizedTest
  @ValueSource(strings = {"org.lorafleet.ps.client.ParameterServerClient", "io.grpc.ManagedChannel",
      "io.grpc.netty.shaded.io.netty.channel.Channel", "io.netty.channel.Channel", "com.google.protobuf.Message"})
  void isNotOnTheTrainersClasspath(String className) {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false, getClass().getClassLoader()));
  }

  @Test
  void theSharedMathIs() throws ClassNotFoundException {
    Class.forName("org.lorafleet.math.optim.AdamW", false, getClass().getClassLoader());
    Class.forName("org.lorafleet.math.tensor.FloatTensor", false, getClass().getClassLoader());
  }
}
