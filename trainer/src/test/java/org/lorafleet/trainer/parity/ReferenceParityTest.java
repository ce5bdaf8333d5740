package org.lorafleet.trainer.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.AdapterMerge;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.lora.PeftAdapterFolder;
import org.lorafleet.trainer.model.Architecture;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.nn.ChunkSizes;
import org.lorafleet.trainer.nn.CrossEntropy;
import org.lorafleet.trainer.nn.Nd;
import org.lorafleet.trainer.quant.Quantization;
import org.lorafleet.trainer.safetensors.SafetensorsFile;
import org.lorafleet.trainer.testsupport.ReferenceCases;
import org.lorafleet.trainer.tokenizer.HfTokenizer;
import org.lorafleet.trainer.train.Batch;
import org.lorafleet.trainer.train.LoraTrainer;
import org.lorafleet.trainer.train.StepReport;

/**
 * Checks the trainer against every Hugging Face/PEFT reference case found under the reference root:
 * base logits, per-step losses and gradient norms over all K steps, recorded gradients, the trained
 * adapter, adapted and merged logits, and the exported adapter's names and shapes.
 */
class ReferenceParityTest {

  /**
   * How the model runs: the reference float32 path; the memory-saving path (gradient checkpointing,
   * attention and loss in chunks of a few rows) at the same tolerances; and a bfloat16 base, whose
   * rounded weights (relative error up to 2⁻⁹ each) move every number, at the looser bound
   * {@link Tolerance#BFLOAT16} (single gradient tensors, trained adapters and logits after training are then not
   * compared: only losses and gradient norms).
   */
  enum Mode {
    FLOAT32, MEMORY_SAVING, BFLOAT16
  }

  static Stream<Arguments> cases() {
    return ReferenceCases.all().stream().flatMap(c -> Stream.of(Mode.values()).map(m -> Arguments.of(c, m)));
  }

  @AfterEach
  void restoreChunkSizes() {
    ChunkSizes.reset();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesReference(Path caseDir, Mode mode, @TempDir Path tmp) throws Exception {
    String name = ReferenceCases.name(caseDir) + " [" + mode + "]";
    boolean bf16 = mode == Mode.BFLOAT16;
    double logitTol = bf16 ? Tolerance.BFLOAT16 : Tolerance.LOGITS_AND_LOSSES;
    double gradTol = bf16 ? Tolerance.BFLOAT16 : Tolerance.GRADIENTS_AND_ADAPTERS;
    if (mode != Mode.FLOAT32) {
      ChunkSizes.set(40, 50, 60); // a few rows or vocabulary entries per chunk: many chunks on these tiny models
    }
    try (Golden golden = new Golden(caseDir); HfCheckpoint ckpt = HfCheckpoint.open(caseDir)) {
      // Tokenizer: every probe encodes to exactly the Rust library's ids.
      try (HfTokenizer tok = HfTokenizer.load(ckpt.tokenizerPath())) {
        var probes = golden.json.get("tokenizer_probes");
        assertFalse(probes.isEmpty(), name + ": no tokenizer probes");
        probes.fields().forEachRemaining(e -> {
          long[] expected = new long[e.getValue().size()];
          for (int i = 0; i < expected.length; i++) {
            expected[i] = e.getValue().get(i).asLong();
          }
          org.junit.jupiter.api.Assertions.assertArrayEquals(expected, tok.encode(e.getKey()),
              name + ": tokenizer probe " + e.getKey());
        });
      }
      CausalLm model = CausalLmLoader.load(ckpt, mode == Mode.BFLOAT16
          ? new LoadOptions(BaseDType.BFLOAT16, Quantization.NONE) : LoadOptions.FLOAT32);

      // Frozen base.
      Batch b0 = golden.batch("_0");
      FloatTensor baseLogits = Nd.toTensor(model.logits(b0.inputIds(), b0.batch(), b0.seq()));
      Tolerance.assertClose(name + " base logits", reshape(baseLogits, golden.tensor("base_logits_0")),
          golden.tensor("base_logits_0"), logitTol);
      CrossEntropy.Result base = model.loss(b0.inputIds(), b0.labels(), b0.batch(), b0.seq());
      Tolerance.assertClose(name + " base loss", base.lossSum() / base.tokens(),
          golden.json.get("base_loss_0").asDouble(), logitTol);

      // K training steps from the case's initial adapter, with its lr per step, decay and clipping.
      LoraAdapter adapter = PeftAdapterFolder.load(caseDir.resolve("adapter-init"), model);
      assertEquals(names(golden.json.get("trainable_param_names")), new ArrayList<>(adapter.parameters().keySet()),
          name + ": trainable parameters");
      JsonNode train = golden.json.get("train");
      double maxGradNorm = train.hasNonNull("max_grad_norm") ? train.get("max_grad_norm").asDouble() : 0;
      AdamW adamW = new AdamW(AdamWSettings.withWeightDecay(train.path("weight_decay").asDouble(0)));
      LoraTrainer trainer = new LoraTrainer(model, adapter, adamW, 0, mode == Mode.MEMORY_SAVING);
      Map<Integer, Map<String, FloatTensor>> recorded = golden.recordedGradients();
      assertFalse(recorded.isEmpty(), name + ": golden.safetensors records no gradients");
      int steps = train.get("steps").asInt();
      assertEquals(steps, golden.json.get("losses").size(), name + ": losses per step");
      for (int s = 0; s < steps; s++) {
        Batch batch = golden.batch("_step" + s);
        if (recorded.containsKey(s) && !bf16) {
          Map<String, FloatTensor> sums = trainer.gradients(batch, s, 0).gradSums();
          long tokens = batch.countedTokens();
          for (Map.Entry<String, FloatTensor> e : recorded.get(s).entrySet()) {
            FloatTensor mine = sums.get(e.getKey());
            assertTrue(mine != null, name + ": no gradient for " + e.getKey());
            Tolerance.assertClose(name + " step " + s + " gradient " + e.getKey(), scale(mine, 1.0 / tokens),
                e.getValue(), gradTol);
          }
        }
        double lr = golden.json.get("lrs").get(s).asDouble();
        StepReport r = trainer.step(List.of(batch), lr, maxGradNorm);
        Tolerance.assertClose(name + " loss at step " + s, r.loss(), golden.json.get("losses").get(s).asDouble(),
            logitTol);
        Tolerance.assertClose(name + " grad norm at step " + s, r.gradNorm(),
            golden.json.get("grad_norms_before_clip").get(s).asDouble(), gradTol);
      }
      try (SafetensorsFile trained = SafetensorsFile.open(caseDir.resolve("adapter-trained/adapter_model.safetensors"))) {
        for (String key : bf16 ? java.util.Set.<String>of() : trained.names()) {
          Tolerance.assertClose(name + " trained " + key, adapter.parameters().get(key), trained.readFloat(key),
              gradTol);
        }
      }

      // Adapted and merged models on the eval batch.
      Batch ev = golden.batch("_eval");
      FloatTensor adapted = Nd.toTensor(model.logits(ev.inputIds(), ev.batch(), ev.seq()));
      if (!bf16) { // trained on rounded weights, the adapter drifts: bf16 mode compares the eval losses only
        Tolerance.assertClose(name + " adapted logits", reshape(adapted, golden.tensor("adapted_logits_eval")),
            golden.tensor("adapted_logits_eval"), logitTol);
      }
      CrossEntropy.Result adaptedLoss = model.loss(ev.inputIds(), ev.labels(), ev.batch(), ev.seq());
      Tolerance.assertClose(name + " adapted eval loss", adaptedLoss.lossSum() / adaptedLoss.tokens(),
          golden.json.get("adapted_loss_eval").asDouble(), logitTol);

      Path merged = tmp.resolve("merged");
      AdapterMerge.writeMerged(ckpt, adapter, model.config().architecture() == Architecture.GPT2, merged);
      try (HfCheckpoint mergedCkpt = HfCheckpoint.open(merged)) {
        CausalLm mergedModel = CausalLmLoader.load(mergedCkpt);
        FloatTensor ml = Nd.toTensor(mergedModel.logits(ev.inputIds(), ev.batch(), ev.seq()));
        if (!bf16) {
          Tolerance.assertClose(name + " merged logits", reshape(ml, golden.tensor("merged_logits_eval")),
              golden.tensor("merged_logits_eval"), logitTol);
        }
        CrossEntropy.Result mergedLoss = mergedModel.loss(ev.inputIds(), ev.labels(), ev.batch(), ev.seq());
        Tolerance.assertClose(name + " merged eval loss", mergedLoss.lossSum() / mergedLoss.tokens(),
            golden.json.get("merged_loss_eval").asDouble(), logitTol);
      }

      // Our export has PEFT's tensor names and shapes and round-trips.
      Path exported = tmp.resolve("adapter");
      PeftAdapterFolder.save(adapter, model, exported, caseDir.toString());
      assertSameNamesAndShapes(name, caseDir.resolve("adapter-trained/adapter_model.safetensors"),
          exported.resolve(PeftAdapterFolder.WEIGHTS));
      LoraAdapter reloaded = PeftAdapterFolder.load(exported, model);
      assertEquals(adapter.parameters(), reloaded.parameters(), name + ": exported adapter round trip");
      assertEquals(adapter.settings().scaling(), reloaded.settings().scaling(), name + ": exported scaling");
    }
  }

  private static void assertSameNamesAndShapes(String name, Path reference, Path ours) {
    try (SafetensorsFile ref = SafetensorsFile.open(reference); SafetensorsFile mine = SafetensorsFile.open(ours)) {
      assertEquals(new java.util.TreeSet<>(ref.names()), new java.util.TreeSet<>(mine.names()),
          name + ": exported tensor names");
      for (String key : ref.names()) {
        assertEquals(java.util.Arrays.toString(ref.shape(key)), java.util.Arrays.toString(mine.shape(key)),
            name + ": exported shape of " + key);
      }
    }
  }

  private static List<String> names(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText().replace(".default.weight", ".weight")));
    return out;
  }

  private static FloatTensor reshape(FloatTensor t, FloatTensor like) {
    return new FloatTensor(like.shape(), t.data());
  }

  private static FloatTensor scale(FloatTensor t, double f) {
    float[] d = t.data().clone();
    for (int i = 0; i < d.length; i++) {
      d[i] *= (float) f;
    }
    return new FloatTensor(t.shape(), d);
  }
}
