package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes a terminal gets: the status erased before other lines and redrawn after them. */
class StatusLineTest {

  private static final String ERASE = "\r\u001b[K";

  @Test
  void otherLinesGoAboveTheStatusWhichStaysLast() {
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    StatusLine.Terminal t = StatusLine.over(tty);
    t.status("step 1/3");
    t.status("step 2/3");
    t.println("checkpoint step 2");
    t.print("eval ");          // a line written in two parts: the status comes back only after its end
    t.println("loss 1.5");
    t.status("step 3/3");
    t.keepStatus();
    t.println("Done.");
    assertEquals(ERASE + "step 1/3" + ERASE + "step 2/3"
        + ERASE + "checkpoint step 2\n" + "step 2/3"
        + ERASE + "eval " + "loss 1.5\n" + "step 2/3"
        + ERASE + "step 3/3" + "\n"
        + "Done.\n", tty.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
  }
}
