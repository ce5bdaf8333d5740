package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lorafleet.trainer.quant.QuantTestData.array;
import static org.lorafleet.trainer.quant.QuantTestData.dequantise;
import static org.lorafleet.trainer.quant.QuantTestData.gaussian;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lorafleet.trainer.nn.DenseWeight;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The factory: which tensors fall back and why, NONE, input types and views, workspaces. */
class QuantizerTest {

  @ParameterizedTest
  @EnumSource(names = {"NF4", "INT4"})
  void anInputDimensionOffTheGroupSizeKeepsTheTensorDense(Quantization mode) {
    INDArray outIn = array(gaussian(64 * 100, 31), 64, 100); // [out 64, in 100]
    Quantizer.Result r = Quantizer.tryQuantize(outIn, false, mode, false);
    assertTrue(r.fellBack());
    DenseWeight dense = assertInstanceOf(DenseWeight.class, r.weight());
    assertSame(outIn, dense.values(), "the float form is kept as it is");
    assertEquals("input dimension 100 is not a multiple of the " + mode.configName() + " group size 64", r.fallbackReason());
    String message = r.fallbackMessage("model.layers.0.mlp.down_proj.weight");
    assertEquals("Keeping model.layers.0.mlp.down_proj.weight [64, 100] in float32: input dimension 100 is not a multiple"
        + " of the " + mode.configName() + " group size 64.", message);

    INDArray inOut = array(gaussian(100 * 64, 32), 100, 64); // [in 100, out 64]
    assertTrue(Quantizer.tryQuantize(inOut, true, mode, false).fellBack(), "for [in, out] the input is the row count");
    assertFalse(Quantizer.tryQuantize(inOut, false, mode, false).fellBack(), "as [out 100, in 64] it fits");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Quantizer.quantize(outIn, false, mode, true));
    assertEquals("Cannot store a [64, 100] weight as " + mode.configName()
        + ": input dimension 100 is not a multiple of the " + mode.configName() + " group size 64.", e.getMessage());
  }

  @Test
  void int8TakesAnyShape() {
    Quantizer.Result r = Quantizer.tryQuantize(array(gaussian(3 * 100, 33), 3, 100), false, Quantization.INT8, false);
    assertFalse(r.fellBack());
    assertNull(r.fallbackReason());
    assertNull(r.fallbackMessage("x"));
    assertInstanceOf(Int8Weight.class, r.weight());
  }

  @Test
  void noneReturnsTheDenseWeightUnchanged() {
    INDArray w = array(gaussian(64 * 64, 34), 64, 64);
    FrozenWeight f = Quantizer.quantize(w, true, Quantization.NONE, true);
    assertSame(w, assertInstanceOf(DenseWeight.class, f).values());
    assertEquals("float32", f.form());
    assertEquals(64L * 64 * 4, f.bytes());
  }

  @Test
  void aNonFiniteValueKeepsTheTensorDenseAndSaysWhere() {
    float[] v = gaussian(64 * 64, 35);
    v[3 * 64 + 17] = Float.NaN;
    Quantizer.Result r = Quantizer.tryQuantize(array(v, 64, 64), false, Quantization.NF4, false);
    assertTrue(r.fellBack());
    assertEquals("it holds a non-finite value (NaN) at [3, 17]", r.fallbackReason());
  }

  @Test
  void emptyAndNonMatrixInputs() {
    assertEquals("it is empty", Quantizer.unsupportedReason(new long[] {0, 64}, false, Quantization.INT8));
    assertEquals("it is 1-D, and only 2-D weights are quantised",
        Quantizer.unsupportedReason(new long[] {64}, false, Quantization.NF4));
    assertNull(Quantizer.unsupportedReason(new long[] {128, 64}, true, Quantization.INT4));
    assertThrows(IllegalArgumentException.class,
        () -> Quantizer.quantize(Nd4j.create(DataType.FLOAT, 2, 64, 64), false, Quantization.NF4, false));
  }

  @Test
  void halfPrecisionInputsAndViewsAreReadAsTheirFloatValues() {
    float[] v = gaussian(96 * 128, 36);
    INDArray w = array(v, 96, 128);
    float[] expected = dequantise(Quantizer.quantize(w, false, Quantization.NF4, false));
    INDArray bf16 = w.castTo(DataType.BFLOAT16);
    float[] fromBf16 = dequantise(Quantizer.quantize(bf16, false, Quantization.NF4, false));
    float[] expectedBf16 = dequantise(Quantizer.quantize(bf16.castTo(DataType.FLOAT).dup('c'), false, Quantization.NF4, false));
    assertArrayEquals(expectedBf16, fromBf16, "bfloat16 is quantised from its float32 values");

    INDArray transposedView = array(QuantTestData.transpose(v, 96, 128), 128, 96).transpose(); // 'f' view of [96, 128]
    assertArrayEquals(expected, dequantise(Quantizer.quantize(transposedView, false, Quantization.NF4, false)));
    INDArray rowsView = array(gaussian(200 * 128, 37), 200, 128).get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(50, 146), org.nd4j.linalg.indexing.NDArrayIndex.all());
    assertArrayEquals(dequantise(Quantizer.quantize(rowsView.dup('c'), false, Quantization.INT4, false)),
        dequantise(Quantizer.quantize(rowsView, false, Quantization.INT4, false)), "an offset view is read from its offset");
  }

  @ParameterizedTest
  @EnumSource(names = {"INT8", "NF4", "INT4"})
  void codesMadeInsideAWorkspaceOutliveIt(Quantization mode) {
    float[] v = gaussian(128 * 192, 38);
    INDArray w = array(v, 128, 192);
    float[] expected = dequantise(Quantizer.quantize(w, true, mode, true));
    FrozenWeight q;
    WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "quant-load")) {
      q = Quantizer.quantize(w, true, mode, true);
    }
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "quant-load")) {
      Nd4j.createUninitialized(DataType.FLOAT, 1 << 18).assign(-7f); // reuse the workspace's memory
    }
    QuantTestData.scribbleOverWorkspace(1 << 18);
    assertArrayEquals(expected, dequantise(q));
    INDArray outside = q.toFloat(); // no workspace open: a plain array
    assertFalse(outside.isAttached());
    assertArrayEquals(expected, org.lorafleet.trainer.nn.Nd.flat(outside));
  }
}
