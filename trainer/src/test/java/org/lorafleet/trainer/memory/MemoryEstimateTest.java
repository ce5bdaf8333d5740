package org.lorafleet.trainer.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.BaseDType;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.model.HfModelConfig;
import org.lorafleet.trainer.model.HfModelConfigReader;
import org.lorafleet.trainer.model.LoadOptions;
import org.lorafleet.trainer.quant.Quantization;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/**
 * The estimate's weight bytes, computed from headers only, equal what the loader really holds in
 * every form; the activation part grows linearly with length and shrinks with checkpointing.
 */
class MemoryEstimateTest {

  private static final Path TINY = Path.of("../examples/models/tiny-llama");
  private static final LoraSettings ALL = LoraSettings.of(8, 16, List.of(LoraSettings.ALL_LINEAR));

  static Stream<Arguments> modelsAndForms() {
    List<LoadOptions> forms = List.of(LoadOptions.FLOAT32, new LoadOptions(BaseDType.BFLOAT16, Quantization.NONE),
        new LoadOptions(BaseDType.AUTO, Quantization.INT8), new LoadOptions(BaseDType.AUTO, Quantization.NF4),
        new LoadOptions(BaseDType.AUTO, Quantization.NF4, true), new LoadOptions(BaseDType.FLOAT16, Quantization.INT4));
    Stream<Path> models = Stream.concat(Stream.of(TINY), ReferenceCases.all().stream());
    return models.flatMap(m -> forms.stream().map(f -> Arguments.of(m, f)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("modelsAndForms")
  void weightBytesFromHeadersEqualTheLoadedModel(Path dir, LoadOptions form) {
    try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
      CausalLm model = CausalLmLoader.load(ck, form);
      long predicted = WeightBytes.of(ck, form).total();
      long actual = model.weightBytes();
      // norm gains inside blocks (H floats each) are left out of weightBytes(): allow their size
      HfModelConfig cfg = model.config();
      long norms = 4L * cfg.layers() * 4 * cfg.hidden() + 8L * cfg.layers() * cfg.headDim();
      assertTrue(Math.abs(predicted - actual) <= norms, dir + " " + form.label() + ": predicted " + predicted
          + " bytes, loaded " + actual);
    }
  }

  @Test
  void activationsGrowLinearlyAndCheckpointingShrinksThem() {
    try (HfCheckpoint ck = HfCheckpoint.open(TINY)) {
      HfModelConfig cfg = HfModelConfigReader.read(ck.config(), "config.json");
      long a256 = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 256, false, 1, 0).activationsPerWorker();
      long a512 = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 512, false, 1, 0).activationsPerWorker();
      long a2048 = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 2048, false, 1, 0).activationsPerWorker();
      assertEquals(8.0, a2048 / (double) a256, 1e-6, "activations are linear in the length");
      assertEquals(2.0, a512 / (double) a256, 1e-6);
      long ckpt = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 2048, true, 1, 0).activationsPerWorker();
      assertTrue(ckpt < a2048, "checkpointing " + ckpt + " < " + a2048);
      MemoryEstimate two = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 256, false, 2, 100);
      MemoryEstimate one = MemoryEstimate.of(ck, cfg, LoadOptions.FLOAT32, ALL, 4, 256, false, 1, 100);
      assertEquals(one.perWorker(), two.total() - one.total(), "each worker adds its own adapter and activations");
      assertTrue(two.describe().contains("2 worker(s)"), two.describe());
    }
  }
}
