package org.lorafleet.trainer.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;

class SafetensorsRoundTripTest {

  @TempDir
  Path dir;

  private static FloatTensor random(Random rnd, long... shape) {
    float[] d = new float[Math.toIntExact(FloatTensor.numel(shape))];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) rnd.nextGaussian();
    }
    return new FloatTensor(shape, d);
  }

  @Test
  void writtenTensorsReadBackIdenticallyInOrder() throws Exception {
    Random rnd = new Random(7);
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("z.last.first", random(rnd, 3, 5));
    tensors.put("a.vector", random(rnd, 7));
    tensors.put("scalar", random(rnd));
    tensors.put("empty", FloatTensor.zeros(0, 4));
    tensors.put("special", new FloatTensor(new long[] {4},
        new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE}));
    Path file = dir.resolve("sub/dir/out.safetensors");
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "note", "ünïcødé"));

    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(st.names()));
      assertEquals(Map.of("format", "pt", "note", "ünïcødé"), st.metadata());
      for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
        assertEquals(DType.F32, st.dtype(e.getKey()));
        assertArrayEquals(e.getValue().shape(), st.shape(e.getKey()));
        assertEquals(e.getValue(), st.readFloat(e.getKey()), e.getKey());
      }
    }

    byte[] raw = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8, "header length is padded to a multiple of 8");
    String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":"), header);
    assertTrue(header.stripTrailing().endsWith("}"), header);
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void overwritesAnExistingFileAndOmitsEmptyMetadata() throws Exception {
    Path file = dir.resolve("x.safetensors");
    SafetensorsWriter.write(file, Map.of("a", FloatTensor.zeros(2)), Map.of("format", "pt"));
    Map<String, FloatTensor> second = Map.of("b", new FloatTensor(new long[] {1}, new float[] {5f}));
    SafetensorsWriter.write(file, second, Map.of());
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertEquals(List.of("b"), List.copyOf(st.names()));
      assertTrue(st.metadata().isEmpty());
      assertEquals(5f, st.readFloat("b").data()[0]);
    }
    byte[] raw = Files.readAllBytes(file);
    assertFalse(new String(raw, StandardCharsets.UTF_8).contains("__metadata__"));
  }

  @Test
  void refusesTheReservedMetadataNameAsATensorName() {
    Path file = dir.resolve("bad.safetensors");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafetensorsWriter.write(file, Map.of("__metadata__", FloatTensor.zeros(1)), null));
    assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void closedFileRefusesReads() throws Exception {
    Path file = dir.resolve("c.safetensors");
    SafetensorsWriter.write(file, Map.of("a", FloatTensor.zeros(2)), null);
    SafetensorsFile st = SafetensorsFile.open(file);
    st.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> st.readFloat("a"));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("closed"), e.getMessage());
  }
}
