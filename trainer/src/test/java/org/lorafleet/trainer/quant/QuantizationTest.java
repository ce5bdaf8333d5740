package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Config names of the quantisation modes and the errors for unknown ones. */
class QuantizationTest {

  @Test
  void configNamesParseBack() {
    assertEquals("none", Quantization.NONE.configName());
    assertEquals("int8", Quantization.INT8.configName());
    assertEquals("nf4", Quantization.NF4.configName());
    assertEquals("int4", Quantization.INT4.configName());
    for (Quantization q : Quantization.values()) {
      assertEquals(q, Quantization.parse(q.configName()));
    }
    assertEquals(Quantization.NF4, Quantization.parse(" NF4 "));
  }

  @Test
  void unknownNamesAreRejectedWithTheChoices() {
    for (String bad : new String[] {"fp8", "", "int 4", "nf4x"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantization.parse(bad));
      assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
      assertTrue(e.getMessage().contains("none, int8, nf4, int4"), e.getMessage());
      assertTrue(e.getMessage().endsWith("."), "a full sentence: " + e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantization.parse(null));
    assertTrue(e.getMessage().contains("none, int8, nf4, int4"), e.getMessage());
  }
}
