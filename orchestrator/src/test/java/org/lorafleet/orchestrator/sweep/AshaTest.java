package org.lorafleet.orchestrator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lorafleet.orchestrator.config.EarlyStoppingConfig;
import org.lorafleet.orchestrator.config.SweepConfig;

/** The successive-halving rule: a trial goes on at a rung only within the best max(1, ⌊n/η⌋) there. */
class AshaTest {

  @Test
  void keepsTheBestFractionOfEachRung() {
    Asha a = new Asha(new EarlyStoppingConfig(10, 2), SweepConfig.Goal.MINIMIZE);
    assertEquals(10, a.rungStep(0));
    assertEquals(40, a.rungStep(2));
    assertTrue(a.reached(0, 5.0), "the first trial at a rung goes on");
    assertFalse(a.reached(0, 6.0), "n=2 keeps 1: 5.0 is better");
    assertTrue(a.reached(0, 4.0), "n=3 keeps 1: the best so far goes on");
    assertTrue(a.reached(0, 4.5), "n=4 keeps 2: only 4.0 is better");
    assertFalse(a.reached(0, 5.5), "n=5 keeps 2: three are better");
    assertTrue(a.reached(1, 9.0), "rungs are judged separately");
    assertFalse(a.reached(0, Double.NaN), "a NaN metric stops the trial");
  }

  @Test
  void tiesGoOnAndMaximizeFlipsTheOrder() {
    Asha a = new Asha(new EarlyStoppingConfig(1, 3), SweepConfig.Goal.MAXIMIZE);
    assertTrue(a.reached(0, 0.5));
    assertFalse(a.reached(0, 0.4), "n=2 keeps 1");
    assertTrue(a.reached(0, 0.5), "a tie with the best is not worse");
    assertTrue(a.reached(0, 0.9));
  }

  @Test
  void restoredResultsCountForLaterDecisions() {
    Asha a = new Asha(new EarlyStoppingConfig(5, 2), SweepConfig.Goal.MINIMIZE);
    a.restore(0, 1.0);
    assertFalse(a.reached(0, 2.0), "a result of the earlier run is better");
  }
}
