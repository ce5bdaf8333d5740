package org.lorafleet.orchestrator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lorafleet.orchestrator.config.SweepParameter;

/** Grid order and limits; random draws: seeded, within bounds, spread as their distribution says. */
class TrialSamplerTest {

  private static final List<SweepParameter> MIXED = List.of(
      new SweepParameter("train.lr", SweepParameter.Kind.LOG_UNIFORM, List.of(), 1e-4, 1e-2),
      new SweepParameter("lora.dropout", SweepParameter.Kind.UNIFORM, List.of(), 0.0, 0.2),
      new SweepParameter("train.warmup_steps", SweepParameter.Kind.INT, List.of(), 0, 3),
      SweepParameter.choice("lora.r", List.of("4", "8", "16")));

  @Test
  void gridListsEveryCombinationFirstParameterSlowest() {
    var grid = TrialSampler.grid(List.of(SweepParameter.choice("a", List.of("1", "2")),
        SweepParameter.choice("b", List.of("x", "y", "z"))), null);
    assertEquals(6, grid.size());
    assertEquals(Map.of("a", "1", "b", "x"), grid.get(0));
    assertEquals(Map.of("a", "1", "b", "z"), grid.get(2));
    assertEquals(Map.of("a", "2", "b", "x"), grid.get(3));
    assertEquals(6, new HashSet<>(grid).size());
    assertEquals(grid.subList(0, 4), TrialSampler.grid(List.of(SweepParameter.choice("a", List.of("1", "2")),
        SweepParameter.choice("b", List.of("x", "y", "z"))), 4));
  }

  @Test
  void randomDrawsAreSeededAndAPrefixOfLongerSweeps() {
    var a = TrialSampler.random(MIXED, 20, 7);
    assertEquals(a, TrialSampler.random(MIXED, 20, 7));
    assertNotEquals(a, TrialSampler.random(MIXED, 20, 8));
    assertEquals(a, TrialSampler.random(MIXED, 30, 7).subList(0, 20), "more trials keep the first ones");
  }

  @Test
  void randomDrawsStayInBoundsAndCoverTheirRange() {
    var draws = TrialSampler.random(MIXED, 2000, 3);
    int lowDecade = 0;
    Set<String> ints = new HashSet<>();
    Set<String> choices = new HashSet<>();
    double dropoutSum = 0;
    for (Map<String, String> d : draws) {
      double lr = Double.parseDouble(d.get("train.lr"));
      assertTrue(lr >= 1e-4 * 0.9999 && lr <= 1e-2 * 1.0001, "lr " + lr);
      lowDecade += lr < 1e-3 ? 1 : 0;
      double dropout = Double.parseDouble(d.get("lora.dropout"));
      assertTrue(dropout >= 0 && dropout <= 0.2, "dropout " + dropout);
      dropoutSum += dropout;
      ints.add(d.get("train.warmup_steps"));
      choices.add(d.get("lora.r"));
    }
    // log-uniform: each decade of [1e-4, 1e-2] gets about half the draws (binomial sd ≈ 22).
    assertTrue(Math.abs(lowDecade - 1000) < 120, "draws below 1e-3: " + lowDecade);
    assertEquals(0.1, dropoutSum / draws.size(), 0.01);
    assertEquals(Set.of("0", "1", "2", "3"), ints, "int bounds are inclusive");
    assertEquals(Set.of("4", "8", "16"), choices);
  }

  @Test
  void roundsToFourSignificantDigits() {
    assertEquals("0.0003162", TrialSampler.round(3.16227766e-4));
    assertEquals("12.35", TrialSampler.round(12.3456));
    assertEquals("0", TrialSampler.round(0));
  }
}
