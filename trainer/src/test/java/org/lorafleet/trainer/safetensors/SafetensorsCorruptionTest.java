package org.lorafleet.trainer.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.trainer.testsupport.ReferenceCases;

/** Malformed files are refused with a message naming the file and the problem. */
class SafetensorsCorruptionTest {

  @TempDir
  Path dir;

  private static SafetensorsFormatException refused(Path file, String... fragments) {
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> {
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        st.names();
      }
    });
    String msg = e.getMessage();
    assertTrue(msg.contains(file.toString()), "message names the file: " + msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "message contains '" + f + "': " + msg);
    }
    assertTrue(msg.endsWith("."), "message is a full sentence: " + msg);
    return e;
  }

  @Test
  void corruptHeaderJson() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("json.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", new byte[4]);
    refused(f, "not valid JSON", "line 1, column");
  }

  @Test
  void duplicateTensorNamesAreInvalidJson() throws Exception {
    String t = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    Path f = SafetensorsTestFiles.write(dir.resolve("dup.safetensors"), "{" + t + "," + t + "}", new byte[4]);
    refused(f, "not valid JSON", "Duplicate field 'a'");
  }

  @Test
  void headerThatIsNotAnObject() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("array.safetensors"), "[1, 2]   ", new byte[0]);
    refused(f, "instead of a JSON object");
  }

  @Test
  void headerLengthBeyondTheFile() throws Exception {
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    Path f = SafetensorsTestFiles.writeRaw(dir.resolve("long.safetensors"), 1000, json, new byte[8]);
    refused(f, "declares a header of 1000 bytes", "only 10 bytes follow");
  }

  @Test
  void headerLengthBeyondTheLimit() throws Exception {
    Path f = SafetensorsTestFiles.writeRaw(dir.resolve("huge.safetensors"), 200_000_000L, new byte[0], new byte[0]);
    refused(f, "200000000 bytes", "limit");
    Path g = SafetensorsTestFiles.writeRaw(dir.resolve("neg.safetensors"), -1L, new byte[0], new byte[0]);
    refused(g, "18446744073709551615 bytes");
  }

  @Test
  void fileShorterThanTheLengthPrefix() throws Exception {
    Path f = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
    refused(f, "has 3 bytes");
  }

  @Test
  void truncatedCopyOfAReferenceFile() throws Exception {
    Path source = ReferenceCases.all().get(0).resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(source);
    Path f = Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(bytes, bytes.length - 100));
    refused(f, "is truncated: tensor '", "' ends at byte ", "but the data section has ");
  }

  @Test
  void unknownDtype() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("dtype.safetensors"),
        SafetensorsTestFiles.tensor("w", "Q4", "[2]", 0, 1), new byte[1]);
    refused(f, "tensor 'w'", "'Q4'", "F32");
  }

  @Test
  void shapeAndSizeMismatch() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("size.safetensors"),
        SafetensorsTestFiles.tensor("w", "F32", "[2,3]", 0, 20), new byte[20]);
    refused(f, "tensor 'w'", "need 24 bytes", "span 20 bytes");
  }

  @Test
  void negativeOrFractionalShape() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("neg.safetensors"),
        SafetensorsTestFiles.tensor("w", "F32", "[-1]", 0, 4), new byte[4]);
    refused(f, "tensor 'w'", "non-negative integers");
    Path g = SafetensorsTestFiles.write(dir.resolve("frac.safetensors"),
        SafetensorsTestFiles.tensor("w", "F32", "[1.5]", 0, 4), new byte[4]);
    refused(g, "tensor 'w'", "non-negative integers");
  }

  @Test
  void offsetsOutOfOrder() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("order.safetensors"),
        SafetensorsTestFiles.tensor("w", "F32", "[2]", 8, 0), new byte[8]);
    refused(f, "tensor 'w'", "data_offsets [8, 0]", "begin comes after its end");
  }

  @Test
  void overlappingTensors() throws Exception {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    Path f = SafetensorsTestFiles.write(dir.resolve("overlap.safetensors"), header, new byte[12]);
    refused(f, "tensor 'b'", "overlaps tensor 'a'");
  }

  @Test
  void holesAndTrailingBytes() throws Exception {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    Path f = SafetensorsTestFiles.write(dir.resolve("hole.safetensors"), header, new byte[12]);
    refused(f, "bytes 4 to 8", "before tensor 'b'", "holes");
    Path g = SafetensorsTestFiles.write(dir.resolve("trailing.safetensors"),
        SafetensorsTestFiles.tensor("w", "F32", "[1]", 0, 4), new byte[10]);
    refused(g, "6 bytes after the last tensor");
  }

  @Test
  void metadataMustBeStrings() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("meta.safetensors"),
        "{\"__metadata__\":{\"format\":\"pt\",\"step\":3}}", new byte[0]);
    refused(f, "__metadata__", "'step'", "number");
  }

  @Test
  void readingTheWrongKindOrAMissingTensor() throws Exception {
    Path f = SafetensorsTestFiles.write(dir.resolve("ids.safetensors"),
        SafetensorsTestFiles.tensor("ids", "I64", "[1]", 0, 8), new byte[8]);
    try (SafetensorsFile st = SafetensorsFile.open(f)) {
      SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> st.readFloat("ids"));
      assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("dtype I64"), e.getMessage());
      e = assertThrows(SafetensorsFormatException.class, () -> st.shape("nope"));
      assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'nope'"), e.getMessage());
    }
  }
}
