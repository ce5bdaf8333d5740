package org.lorafleet.trainer.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.checkpoint.HfCheckpoint;
import org.lorafleet.trainer.model.CausalLm;
import org.lorafleet.trainer.model.CausalLmLoader;
import org.lorafleet.trainer.safetensors.DType;
import org.lorafleet.trainer.safetensors.HalfFloats;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** A merged bf16 base stays bf16 (each weight the bf16 rounding of base + delta) and keeps its companions. */
class MergeDtypeTest {

  @Test
  void bf16BaseMergesToBf16(@TempDir Path tmp) throws Exception {
    Path caseDir = ReferenceCases.all().stream().filter(c -> !ReferenceCases.modelType(c).equals("gpt2"))
        .findFirst().orElseThrow();
    Path base = Files.createDirectories(tmp.resolve("base"));
    Map<String, FloatTensor> weights = new LinkedHashMap<>();
    Map<String, DType> bf16 = new LinkedHashMap<>();
    try (HfCheckpoint ck = HfCheckpoint.open(caseDir)) {
      for (String name : ck.tensorNames()) {
        weights.put(name, ck.tensor(name));
        bf16.put(name, DType.BF16);
      }
    }
    SafetensorsWriter.write(base.resolve("model.safetensors"), weights, bf16, Map.of("format", "pt"));
    for (String f : new String[] {"config.json", "tokenizer.json", "generation_config.json"}) {
      Files.copy(caseDir.resolve(f), base.resolve(f));
    }
    Files.writeString(base.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
    Path merged = tmp.resolve("merged");
    try (HfCheckpoint ck = HfCheckpoint.open(base)) {
      CausalLm model = CausalLmLoader.load(ck);
      LoraAdapter adapter = PeftAdapterFolder.load(caseDir.resolve("adapter-trained"), model);
      Map<String, FloatTensor> expected = AdapterMerge.mergedTensors(ck, adapter, false);
      AdapterMerge.writeMerged(ck, adapter, false, merged);
      try (HfCheckpoint out = HfCheckpoint.open(merged)) {
        int changed = 0;
        for (String name : ck.tensorNames()) {
          assertEquals(DType.BF16, out.dtype(name), name);
          float[] want = expected.get(name).data().clone();
          for (int i = 0; i < want.length; i++) {
            want[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i]));
          }
          assertArrayEquals(want, out.tensor(name).data(), name);
          changed += java.util.Arrays.equals(want, ck.tensor(name).data()) ? 0 : 1;
        }
        assertTrue(changed > 0, "the adapter changed some weights");
      }
    }
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
      assertTrue(Files.isRegularFile(merged.resolve(f)), f + " copied");
    }
  }
}
