package org.lorafleet.trainer.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds raw safetensors bytes (possibly malformed) for tests. */
final class SafetensorsTestFiles {

  private SafetensorsTestFiles() {
  }

  /** Writes an 8-byte length, {@code header} as UTF-8 and {@code data}. */
  static Path write(Path file, String header, byte[] data) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return writeRaw(file, json.length, json, data);
  }

  /** Writes an arbitrary declared header length followed by the given bytes. */
  static Path writeRaw(Path file, long declaredLength, byte[] json, byte[] data) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(declaredLength).put(json).put(data);
    Files.write(file, buf.array());
    return file;
  }

  /** Little-endian 16-bit values. */
  static byte[] shorts(int... values) {
    ByteBuffer buf = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putShort((short) v);
    }
    return buf.array();
  }

  /** Little-endian float64 values. */
  static byte[] doubles(double... values) {
    ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      buf.putDouble(v);
    }
    return buf.array();
  }

  /** Little-endian int32 values. */
  static byte[] ints(int... values) {
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putInt(v);
    }
    return buf.array();
  }

  /** A one-tensor header. */
  static String tensor(String name, String dtype, String shape, long begin, long end) {
    return "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
        + end + "]}}";
  }
}
