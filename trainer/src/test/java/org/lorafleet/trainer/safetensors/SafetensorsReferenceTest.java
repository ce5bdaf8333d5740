package org.lorafleet.trainer.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Reads every safetensors file of every reference case. */
class SafetensorsReferenceTest {

  @TempDir
  Path tmp;

  static List<Path> referenceFiles() {
    List<Path> files = new java.util.ArrayList<>();
    for (Path root : ReferenceCases.roots()) {
      try (Stream<Path> walk = Files.walk(root)) {
        files.addAll(walk.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertFalse(files.isEmpty(), "the reference roots hold safetensors files");
    return files;
  }

  @Test
  void everyReferenceFileOpensWithSaneShapesAndFiniteValues() {
    for (Path file : referenceFiles()) {
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        assertFalse(st.names().isEmpty(), file + " has tensors");
        for (String name : st.names()) {
          long[] shape = st.shape(name);
          assertTrue(shape.length >= 1 && shape.length <= 4, file + " " + name);
          for (long d : shape) {
            assertTrue(d > 0, file + " " + name);
          }
          DType dtype = st.dtype(name);
          if (dtype.isFloatingPoint()) {
            FloatTensor t = st.readFloat(name);
            assertArrayEquals(shape, t.shape());
            for (float v : t.data()) {
              assertTrue(Float.isFinite(v), file + " " + name + " holds a non-finite value");
            }
          } else {
            long[] ids = st.readLong(name);
            assertEquals(FloatTensor.numel(shape), ids.length);
            for (long v : ids) {
              assertTrue(v >= -100, file + " " + name + " holds " + v);
            }
          }
        }
      }
    }
  }

  @Test
  void modelsHaveTheHuggingFaceMetadataAndTokenBatchesAreInt64() {
    for (Path caseDir : ReferenceCases.all()) {
      try (SafetensorsFile model = SafetensorsFile.open(caseDir.resolve("model.safetensors"))) {
        assertEquals("pt", model.metadata().get("format"), caseDir.toString());
      }
      try (SafetensorsFile golden = SafetensorsFile.open(caseDir.resolve("golden.safetensors"))) {
        for (String name : golden.names()) {
          if (name.startsWith("input_ids") || name.startsWith("labels")) {
            assertEquals(DType.I64, golden.dtype(name), name);
            assertEquals(2, golden.shape(name).length, name);
          }
        }
      }
    }
  }

  /** Rewriting an all-F32 file with the same order and metadata reproduces the Hugging Face bytes. */
  @Test
  void writerReproducesReferenceFilesByteForByte() throws IOException {
    for (Path file : referenceFiles()) {
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata;
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        if (!st.names().stream().allMatch(n -> st.dtype(n) == DType.F32)) {
          continue;
        }
        for (String name : st.names()) {
          tensors.put(name, st.readFloat(name));
        }
        metadata = st.metadata();
      }
      Path copy = tmp.resolve("copy.safetensors");
      SafetensorsWriter.write(copy, tensors, metadata);
      assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy), file.toString());
    }
  }
}
