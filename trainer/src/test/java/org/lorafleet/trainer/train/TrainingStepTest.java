package org.lorafleet.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Micro-batching is exact, dropout's backward is right, a fresh adapter starts at the base model. */
class TrainingStepTest {

  static List<Path> cases() {
    return ReferenceCases.all();
  }

  private static Batch goldenBatch(Path caseDir, String suffix) {
    try (SafetensorsFile f = SafetensorsFile.open(caseDir.resolve("golden.safetensors"))) {
      long[] shape = f.shape("input_ids" + suffix);
      return new Batch(f.readLong("input_ids" + suffix), f.readLong("labels" + suffix), (int) shape[0], (int) shape[1]);
    }
  }

  /** Rows [from, to) of a batch; a label is masked in the second half so token weighting matters. */
  private static Batch rows(Batch b, int from, int to) {
    int t = b.seq();
    return new Batch(Arrays.copyOfRange(b.inputIds(), from * t, to * t), Arrays.copyOfRange(b.labels(), from * t, to * t),
        to - from, t);
  }

  private static Batch withMaskedTail(Batch b) {
    long[] labels = b.labels().clone();
    int t = b.seq();
    for (int i = (b.batch() - 1) * t + t / 2; i < b.batch() * t; i++) {
      labels[i] = -100; // the last row counts fewer tokens than the others
    }
    return new Batch(b.inputIds(), labels, b.batch(), t);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void microBatchesGiveTheSameUpdateAsOneBatch(Path caseDir) {
    Batch full = withMaskedTail(goldenBatch(caseDir, "_step0"));
    int half = full.batch() / 2;
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      LoraTrainer one = trainer(model, caseDir);
      // The summed gradients of the two micro-batches equal the whole batch's, up to float32 summation order.
      Map<String, FloatTensor> whole = one.gradients(full, 0, 0).gradSums();
      Map<String, FloatTensor> first = one.gradients(rows(full, 0, half), 0, 0).gradSums();
      Map<String, FloatTensor> second = one.gradients(rows(full, half, full.batch()), 0, 1).gradSums();
      for (Map.Entry<String, FloatTensor> e : whole.entrySet()) {
        float[] a = first.get(e.getKey()).data();
        float[] b = second.get(e.getKey()).data();
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
          sum[i] = a[i] + b[i];
        }
        double rel = relativeDifference(sum, e.getValue().data());
        assertTrue(rel <= 1e-4, e.getKey() + ": gradient of the micro-batches differs by " + rel);
      }
      StepReport a1 = one.step(List.of(full), 1e-2, 1.0);
      StepReport a2 = one.step(List.of(full), 1e-2, 1.0);
      Map<String, FloatTensor> afterOne = one.adapter().copyOfParameters();

      LoraTrainer two = trainer(model, caseDir);
      List<Batch> micro = List.of(rows(full, 0, half), rows(full, half, full.batch()));
      StepReport b1 = two.step(micro, 1e-2, 1.0);
      StepReport b2 = two.step(micro, 1e-2, 1.0);
      assertEquals(a1.tokens(), b1.tokens());
      assertEquals(a1.loss(), b1.loss(), 1e-5 * Math.abs(a1.loss()));
      assertEquals(a2.loss(), b2.loss(), 1e-5 * Math.abs(a2.loss()));
      assertEquals(a1.gradNorm(), b1.gradNorm(), 1e-4 * a1.gradNorm());
      // Per-tensor ‖x − y‖/‖y‖ (the reference README's measure for adapters) after two AdamW steps.
      // AdamW's first step moves every entry by about lr·sign(g), so an entry whose gradient is
      // float noise (lora_B of a layer whose outputs barely reach the loss) may step the other way:
      // up to ~0.3% per tensor on the tiny fixtures. A token-weighting error (the rows count 15 and
      // 7 tokens) shows up as ~10%.
      for (Map.Entry<String, FloatTensor> e : afterOne.entrySet()) {
        double rel = relativeDifference(two.adapter().parameters().get(e.getKey()).data(), e.getValue().data());
        assertTrue(rel <= 1e-2, e.getKey() + ": relative difference " + rel);
      }
    }
  }

  /** ‖x − y‖ / ‖y‖, or ‖x − y‖ where y is all zeros (lora_A's gradient while B is still zero). */
  private static double relativeDifference(float[] x, float[] y) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      num += (x[i] - y[i]) * (double) (x[i] - y[i]);
      den += y[i] * (double) y[i];
    }
    return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
  }

  /**
   * The two ways a block's saved state reaches backward (moved out of the block's scratch scope
   * after forward, or recomputed by gradient checkpointing) and the MLP's recomputed activation
   * give bit-identical steps, dropout included.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void savedAndRecomputedActivationsGiveBitIdenticalSteps(Path caseDir) {
    Batch b = goldenBatch(caseDir, "_0");
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      float[][] after = new float[2][];
      double[] loss = new double[2];
      for (int k = 0; k < 2; k++) {
        LoraAdapter adapter = PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model);
        LoraSettings s = adapter.settings();
        LoraSettings withDropout = new LoraSettings(s.r(), s.alpha(), s.rslora(), 0.1, s.targetModules(),
            s.targetRegex(), s.fanInFanOut());
        LoraAdapter dropped = LoraAdapter.fromTensors(model, withDropout, adapter.parameters(), "the trained adapter");
        LoraTrainer t = new LoraTrainer(model, dropped, new AdamW(AdamWSettings.withWeightDecay(0)), 11, k == 1);
        loss[k] = t.step(List.of(b), 1e-2, 0).loss();
        after[k] = flatten(t.adapter().parameters());
      }
      assertEquals(loss[0], loss[1], 0.0, "loss");
      assertTrue(Arrays.equals(after[0], after[1]), "adapters differ after one step");
    }
  }

  private static float[] flatten(Map<String, FloatTensor> tensors) {
    int n = tensors.values().stream().mapToInt(t -> t.data().length).sum();
    float[] out = new float[n];
    int i = 0;
    for (FloatTensor t : tensors.values()) {
      System.arraycopy(t.data(), 0, out, i, t.data().length);
      i += t.data().length;
    }
    return out;
  }

  private static LoraTrainer trainer(CausalLm model, Path caseDir) {
    LoraAdapter adapter = PeftAdapterFolder.load(caseDir.resolve("adapter-init"), model);
    return new LoraTrainer(model, adapter, new AdamW(AdamWSettings.withWeightDecay(0.01)), 7);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void freshAdapterLeavesTheBaseModelUnchanged(Path caseDir) {
    Batch b = goldenBatch(caseDir, "_0");
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      float[] base = model.logits(b.inputIds(), b.batch(), b.seq()).dup().data().asFloat();
      LoraAdapter fresh = LoraAdapter.initialise(model, new LoraSettings(4, 16, true, 0, List.of("all-linear"), null,
          null), 3);
      assertEquals(model.linears().size(), fresh.modules().size(), "all-linear targets every linear layer");
      fresh.attachTo(model);
      float[] adapted = model.logits(b.inputIds(), b.batch(), b.seq()).dup().data().asFloat();
      assertTrue(Arrays.equals(base, adapted), "B = 0 at init, so adapted logits equal the base logits");
      for (String m : fresh.modules()) {
        float bound = (float) (1 / Math.sqrt(model.linears().get(m).in()));
        for (float v : fresh.parameters().get("base_model.model." + m + ".lora_A.weight").data()) {
          assertTrue(Math.abs(v) <= bound, "kaiming-uniform(a=√5) bound 1/√in");
        }
      }
      assertEquals(16 / 2.0, fresh.settings().scaling(), 1e-12, "rsLoRA scaling alpha/√r");
    }
  }

  private static double central(LoraTrainer trainer, LoraAdapter adapter, Batch b, float[] p, int idx, double h) {
    float orig = p[idx];
    p[idx] = (float) (orig + h);
    adapter.syncToModel();
    double up = trainer.gradients(b, 0, 0).lossSum();
    p[idx] = (float) (orig - h);
    adapter.syncToModel();
    double down = trainer.gradients(b, 0, 0).lossSum();
    p[idx] = orig;
    adapter.syncToModel();
    return (up - down) / (((float) (orig + h)) - ((float) (orig - h)));
  }

  /** Finite differences of the summed loss against the analytic gradient, with dropout active. */
  @ParameterizedTest
  @MethodSource("cases")
  void dropoutGradientMatchesFiniteDifferences(Path caseDir) {
    Batch b = goldenBatch(caseDir, "_step1");
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      LoraAdapter adapter = PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model);
      LoraAdapter withDropout = LoraAdapter.fromTensors(model, new LoraSettings(adapter.settings().r(),
          adapter.settings().alpha(), false, 0.3, adapter.settings().targetModules(), null, null),
          adapter.copyOfParameters(), "test");
      LoraTrainer trainer = new LoraTrainer(model, withDropout, new AdamW(AdamWSettings.withWeightDecay(0)), 11);
      Map<String, FloatTensor> grads = trainer.gradients(b, 0, 0).gradSums();
      String key = withDropout.parameters().keySet().iterator().next(); // a lora_A of the first layer
      float[] p = withDropout.parameters().get(key).data();
      // Directional derivative along the gradient of one whole lora_A: the signal is its norm, far
      // above the float32 rounding of the summed loss (single components drown in it at small h).
      // A wrong dropout mask or scale (1/(1 − 0.3)) moves it by far more than the tolerance.
      float[] g = grads.get(key).data();
      double norm = 0;
      for (float v : g) {
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      float[] orig = p.clone();
      double h = 1e-2;
      double[] losses = new double[2];
      for (int side = 0; side < 2; side++) {
        for (int i = 0; i < p.length; i++) {
          p[i] = (float) (orig[i] + (side == 0 ? h : -h) * g[i] / norm);
        }
        withDropout.syncToModel();
        losses[side] = trainer.gradients(b, 0, 0).lossSum();
      }
      System.arraycopy(orig, 0, p, 0, p.length);
      withDropout.syncToModel();
      double numeric = (losses[0] - losses[1]) / (2 * h);
      assertEquals(norm, numeric, 5e-2 * norm, key + ": directional derivative along the gradient");
    }
  }
}
