package org.lorafleet.trainer.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * Writes float32 tensors as a safetensors file the way the Hugging Face library does: tensors in the
 * given map order, data contiguous, the JSON header padded with spaces to a multiple of 8 bytes. The
 * file is written to a temporary name in the target directory and then renamed, so readers never
 * see a partial file.
 */
public final class SafetensorsWriter {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int CHUNK_FLOATS = 1 << 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private SafetensorsWriter() {
  }

  /**
   * Writes {@code tensors} (in iteration order, so pass a {@link java.util.LinkedHashMap} to control
   * the layout) as F32, with {@code metadata} as the header's {@code __metadata__} (omitted when null
   * or empty). Creates the parent directory if needed and replaces an existing file atomically where
   * the file system allows it.
   */
  public static void write(Path path, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
    write(path, tensors, Map.of(), metadata);
  }

  /**
   * As {@link #write(Path, Map, Map)}, storing each tensor in {@code dtypes.get(name)} (F32, F16 or
   * BF16, rounded to nearest even; F32 when absent).
   */
  public static void write(Path path, Map<String, FloatTensor> tensors, Map<String, DType> dtypes,
      Map<String, String> metadata) {
    for (Map.Entry<String, DType> e : dtypes.entrySet()) {
      if (e.getValue() != DType.F32 && e.getValue() != DType.F16 && e.getValue() != DType.BF16) {
        throw new IllegalArgumentException("Tensor '" + e.getKey() + "' for " + path + " cannot be written as "
            + e.getValue() + "; F32, F16 and BF16 are supported.");
      }
    }
    byte[] header = header(path, tensors, dtypes, metadata);
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = temporarySibling(target);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
        writeFully(ch, prefix);
        writeFully(ch, ByteBuffer.wrap(header));
        ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
          float[] data = e.getValue().data();
          DType dtype = dtypes.getOrDefault(e.getKey(), DType.F32);
          for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, data.length - off);
            buf.clear();
            if (dtype == DType.F32) {
              buf.asFloatBuffer().put(data, off, n);
              buf.limit(4 * n);
            } else {
              for (int i = 0; i < n; i++) {
                float f = data[off + i];
                buf.putShort((short) (dtype == DType.BF16 ? HalfFloats.floatToBf16(f) : HalfFloats.floatToHalf(f)));
              }
              buf.flip();
            }
            writeFully(ch, buf);
          }
        }
        ch.force(true);
      }
      moveIntoPlace(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write safetensors file " + path + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The original failure is the one worth reporting.
        }
      }
    }
  }

  /**
   * A fresh, unused hidden name beside {@code target} for writing before a rename. Unlike
   * {@link Files#createTempFile} the file is not created, so it later gets the usual permissions
   * rather than owner-only ones.
   */
  public static Path temporarySibling(Path target) {
    String suffix = Long.toHexString(RANDOM.nextLong());
    return target.resolveSibling("." + target.getFileName() + "." + suffix + ".tmp");
  }

  /** Renames {@code tmp} to {@code target} atomically, or with a plain replace where atomic moves are unsupported. */
  public static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static byte[] header(Path path, Map<String, FloatTensor> tensors, Map<String, DType> dtypes,
      Map<String, String> metadata) {
    ObjectNode root = MAPPER.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
      metadata.forEach((k, v) -> {
        if (k == null || v == null) {
          throw new IllegalArgumentException("Metadata for " + path + " has a null key or value (key " + k + ").");
        }
        meta.put(k, v);
      });
    }
    long offset = 0;
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      String name = e.getKey();
      if (name == null || SafetensorsHeader.METADATA_KEY.equals(name)) {
        throw new IllegalArgumentException("Cannot write a tensor named '" + name + "' to " + path
            + "; the name is reserved or missing.");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("Tensor '" + name + "' for " + path + " is null.");
      }
      DType dtype = dtypes.getOrDefault(name, DType.F32);
      long bytes = (long) dtype.byteSize() * e.getValue().data().length;
      ObjectNode t = root.putObject(name);
      t.put("dtype", dtype.headerName());
      ArrayNode shape = t.putArray("shape");
      Arrays.stream(e.getValue().shape()).forEach(shape::add);
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not serialise the safetensors header for " + path + ".", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
