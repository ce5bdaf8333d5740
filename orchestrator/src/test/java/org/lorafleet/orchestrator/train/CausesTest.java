package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every level of a failure down to the root is named once. */
class CausesTest {

  @Test
  void namesEveryDistinctCauseDownToTheRoot() {
    IOException root = new IOException("Connection refused: nn1:8020");
    RuntimeException e = new IllegalStateException("Writing the checkpoint of step 40 failed: Could not write x.",
        new UncheckedIOException("Could not write x.", root));
    assertEquals(List.of("Writing the checkpoint of step 40 failed: Could not write x.", "Connection refused: nn1:8020"),
        Causes.messages(e), "a cause the wrapper quotes is not repeated");
    assertEquals("Writing the checkpoint of step 40 failed: Could not write x. (caused by: Connection refused: nn1:8020)",
        Causes.chain(e));
    assertEquals(List.of("outer", "NullPointerException"), Causes.messages(new RuntimeException("outer",
        new NullPointerException())));
  }
}
