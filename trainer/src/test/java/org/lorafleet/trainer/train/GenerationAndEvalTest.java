package org.lorafleet.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;
import org.lorafleet.trainer.tokenizer.HfTokenizer;

/** Greedy decoding follows the logits; sampling is seeded; evaluation reports the golden losses. */
class GenerationAndEvalTest {

  static List<Path> cases() {
    return ReferenceCases.all();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void greedyFollowsTheArgmaxOfTheFullForward(Path caseDir) {
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir); HfTokenizer tok = HfTokenizer.load(ck.tokenizerPath())) {
      CausalLm model = CausalLmLoader.load(ck);
      PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model).attachTo(model);
      long[] prompt = tok.encode("Hello, world!");
      long[] out = TextGenerator.generate(model, prompt, GenerationSettings.greedy(6));
      assertEquals(6, out.length);
      long[] seq = Arrays.copyOf(prompt, prompt.length + out.length);
      System.arraycopy(out, 0, seq, prompt.length, out.length);
      int v = model.config().vocabSize();
      float[] all = model.logits(seq, 1, seq.length).dup().data().asFloat(); // [T, V]
      for (int i = 0; i < out.length; i++) {
        int row = prompt.length - 1 + i;
        assertEquals(TextGenerator.argmax(Arrays.copyOfRange(all, row * v, (row + 1) * v)), out[i], "token " + i);
      }
      assertFalse(tok.decode(out).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void samplingIsSeededAndTinyTopPIsGreedy(Path caseDir) {
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      CausalLm model = CausalLmLoader.load(ck);
      long[] prompt = {1, 2, 3};
      GenerationSettings s = new GenerationSettings(8, 1.0, 0.9, 42, java.util.List.of());
      assertArrayEquals(TextGenerator.generate(model, prompt, s), TextGenerator.generate(model, prompt, s));
      assertArrayEquals(TextGenerator.generate(model, prompt, GenerationSettings.greedy(5)),
          TextGenerator.generate(model, prompt, new GenerationSettings(5, 0.7, 1e-9, 5, java.util.List.of())));
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void evaluationMatchesTheGoldenLosses(Path caseDir) {
    var golden = ReferenceCases.golden(caseDir);
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir);
        SafetensorsFile g = SafetensorsFile.open(caseDir.resolve("golden.safetensors"))) {
      CausalLm model = CausalLmLoader.load(ck);
      long[] shape = g.shape("input_ids_eval");
      Batch eval = new Batch(g.readLong("input_ids_eval"), g.readLong("labels_eval"), (int) shape[0], (int) shape[1]);
      PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model).attachTo(model);
      Evaluation.Result r = Evaluation.evaluate(model, List.of(eval));
      double ref = golden.get("adapted_loss_eval").asDouble();
      assertEquals(ref, r.loss(), 1e-4 * ref);
      assertEquals(Math.exp(ref), r.perplexity(), 1e-3 * Math.exp(ref));
    }
  }
}
