package org.lorafleet.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.model.Precision;
import org.lorafleet.trainer.nn.OneDnnMatmul;
import org.lorafleet.trainer.testsupport.SharedModels;
import org.lorafleet.trainer.tokenizer.HfTokenizer;

/**
 * train.precision bf16 on the real stories260K checkpoint: the base is held in bfloat16 and the same
 * 100 LoRA steps on new text follow the float32 loss curve within 2%, both falling.
 */
class Bf16PrecisionTest {

  private static final String TEXT = String.join(" ",
      "The lighthouse keeper counted the ships every evening and wrote their names in a blue book.",
      "One night a small boat with a red sail came too close to the rocks, and the keeper rang the bell.",
      "The sailors heard the bell, turned the boat around and waved their hats at the tower.",
      "In the morning they climbed the stairs with a basket of bread and a jar of honey for the keeper.",
      "He thanked them, and they sat by the big lamp and talked about the sea until the sun was high.");
  private static final int SEQ = 48;
  private static final int STEPS = 100;

  @Test
  void bf16FollowsTheFloat32LossCurveWithinTwoPercent() {
    assumeTrue(OneDnnMatmul.available(), "this CPU has neither AVX512_BF16 nor AMX");
    Path dir = SharedModels.model("stories260K");
    List<Batch> batches = batches(dir);
    double[] fp32 = curve(dir, LoadOptions.AUTO, batches);
    double[] bf16 = curve(dir, LoadOptions.AUTO.withPrecision(Precision.BF16), batches);
    assertTrue(fp32[STEPS - 1] < 0.8 * fp32[0], "float32 loss did not fall: " + Arrays.toString(fp32));
    for (int s = STEPS - 10; s < STEPS; s++) {
      assertEquals(fp32[s], bf16[s], 0.02 * fp32[s], "loss at step " + s + ": fp32 " + fp32[s] + ", bf16 " + bf16[s]);
    }
    assertTrue(bf16[0] != fp32[0], "bf16 gave bit-identical losses, so the bf16 kernel did not run");
  }

  @Test
  void bf16HoldsTheFloat32BaseInHalfTheBytes() {
    assumeTrue(OneDnnMatmul.available(), "this CPU has neither AVX512_BF16 nor AMX");
    Path dir = SharedModels.model("stories260K");
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      long fp32 = CausalLmLoader.load(ck, LoadOptions.AUTO).weightBytes();
      long bf16 = CausalLmLoader.load(ck, LoadOptions.AUTO.withPrecision(Precision.BF16)).weightBytes();
      assertTrue(bf16 < 0.6 * fp32, "bf16 base " + bf16 + " bytes vs float32 " + fp32);
    }
  }

  private static double[] curve(Path dir, LoadOptions options, List<Batch> batches) {
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      CausalLm model = CausalLmLoader.load(ck, options);
      LoraAdapter adapter = LoraAdapter.initialise(model,
          LoraSettings.of(8, 16, List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")), 3);
      LoraTrainer trainer = new LoraTrainer(model, adapter, new AdamW(AdamWSettings.withWeightDecay(0)), 3);
      double[] losses = new double[STEPS];
      for (int s = 0; s < STEPS; s++) {
        losses[s] = trainer.step(List.of(batches.get(s % batches.size())), 3e-3, 1.0).loss();
      }
      return losses;
    }
  }

  /** The text as rows of {@code SEQ} tokens, two rows per batch. */
  private static List<Batch> batches(Path dir) {
    long[] ids;
    try (HfTokenizer tok = HfTokenizer.load(dir.resolve("tokenizer.json"))) {
      ids = tok.encode(TEXT);
    }
    List<Batch> out = new ArrayList<>();
    for (int start = 0; start + 2 * SEQ <= ids.length; start += 2 * SEQ) {
      long[] rows = Arrays.copyOfRange(ids, start, start + 2 * SEQ);
      out.add(new Batch(rows, rows.clone(), 2, SEQ));
    }
    assertTrue(out.size() >= 2, "the text gave only " + ids.length + " tokens");
    return out;
  }
}
