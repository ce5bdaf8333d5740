package org.lorafleet.orchestrator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's timeline keeps about a hundred samples whatever the job's length, and always its last step. */
class WorkerTimelineTest {

  @Test
  void samplesEveryHundredthOfTheJobAndTheLastUnit() {
    WorkerTimeline t = new WorkerTimeline(1005); // every 10 steps
    for (long step = 1; step <= 1005; step++) {
      t.unitDone(step, 64, step == 1005);
    }
    List<WorkerTimeline.Sample> s = t.samples();
    assertEquals(101, s.size(), "steps 10, 20, ..., 1000 and the last step 1005");
    assertEquals(10, s.get(0).step());
    assertEquals(1005, s.get(s.size() - 1).step());
    assertTrue(s.stream().allMatch(x -> x.tokensPerSecond() > 0 && x.stepSeconds() > 0), s.toString());
  }

  @Test
  void localSgdRoundsThatJumpSeveralStepsStillCrossTheCadence() {
    WorkerTimeline t = new WorkerTimeline(400); // every 4 steps; rounds of 3 local steps
    for (long end = 3; end < 400; end += 3) {
      t.unitDone(end, 10, false);
    }
    t.unitDone(400, 10, true);
    List<WorkerTimeline.Sample> s = t.samples();
    // a sample whenever a round ends past a multiple of 4: 100 multiples in (0, 400], and 400 itself is the last
    assertEquals(100, s.size());
    for (int i = 1; i < s.size(); i++) {
      assertTrue(s.get(i).step() > s.get(i - 1).step(), "steps grow: " + s);
    }
  }

  @Test
  void aShortJobSamplesEveryStep() {
    WorkerTimeline t = new WorkerTimeline(7);
    for (long step = 1; step <= 7; step++) {
      t.unitDone(step, 1, step == 7);
    }
    assertEquals(7, t.samples().size());
  }
}
