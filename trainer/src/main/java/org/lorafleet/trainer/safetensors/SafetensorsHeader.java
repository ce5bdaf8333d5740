package org.lorafleet.trainer.safetensors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: tensor entries in header order and the
 * optional {@code __metadata__} map. Validation follows the format's rules: known dtypes, offsets
 * inside the data section, sizes that match shape × dtype, and a data section that the tensors cover
 * exactly, without overlaps or holes.
 */
final class SafetensorsHeader {

  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** One tensor of the header; offsets are relative to the start of the data section. */
  record Entry(String name, DType dtype, long[] shape, long begin, long end) {

    long byteLength() {
      return end - begin;
    }

    long numel() {
      long n = 1;
      for (long d : shape) {
        n *= d; // cannot overflow: checked when the header was validated
      }
      return n;
    }
  }

  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
    this.entries = Collections.unmodifiableMap(entries);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  Map<String, Entry> entries() {
    return entries;
  }

  Map<String, String> metadata() {
    return metadata;
  }

  /** Parses and validates {@code json}, the header of {@code path} whose data section has {@code dataSize} bytes. */
  static SafetensorsHeader parse(Path path, byte[] json, long dataSize) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new SafetensorsFormatException(path + " has a header that is not valid JSON" + where + ": "
          + e.getOriginalMessage() + ".", e);
    } catch (IOException e) {
      throw new SafetensorsFormatException(path + " has a header that cannot be parsed: " + e.getMessage() + ".", e);
    }
    if (root == null || root.isMissingNode()) {
      throw new SafetensorsFormatException(path + " has an empty header; a safetensors header is a JSON object.");
    }
    if (!root.isObject()) {
      throw new SafetensorsFormatException(path + " has a header that is a JSON " + root.getNodeType().name().toLowerCase()
          + " instead of a JSON object.");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (METADATA_KEY.equals(field.getKey())) {
        readMetadata(path, field.getValue(), metadata);
      } else {
        Entry entry = readEntry(path, field.getKey(), field.getValue(), dataSize);
        entries.put(entry.name(), entry);
      }
    }
    checkCoverage(path, entries, dataSize);
    return new SafetensorsHeader(entries, metadata);
  }

  private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
    if (!node.isObject()) {
      throw new SafetensorsFormatException(path + " has a __metadata__ entry that is not a JSON object of strings.");
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new SafetensorsFormatException(path + " has a __metadata__ value for key '" + e.getKey()
            + "' that is a JSON " + e.getValue().getNodeType().name().toLowerCase() + "; metadata values must be strings.");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static Entry readEntry(Path path, String name, JsonNode node, long dataSize) {
    String what = path + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new SafetensorsFormatException(what + " is described by a JSON " + node.getNodeType().name().toLowerCase()
          + " instead of an object with dtype, shape and data_offsets.");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new SafetensorsFormatException(what + " has no dtype string.");
    }
    DType dtype;
    try {
      dtype = DType.fromHeader(dtypeNode.textValue());
    } catch (IllegalArgumentException e) {
      throw new SafetensorsFormatException(what + " has an unsupported dtype: " + e.getMessage(), e);
    }
    long[] shape = readLongArray(what, node.get("shape"), "shape", -1);
    long[] offsets = readLongArray(what, node.get("data_offsets"), "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end) {
      throw new SafetensorsFormatException(what + " has data_offsets [" + begin + ", " + end
          + "] whose begin comes after its end.");
    }
    if (end > dataSize) {
      throw new SafetensorsFormatException(path + " is truncated: tensor '" + name + "' ends at byte " + end
          + " but the data section has " + dataSize + " bytes.");
    }
    long expected;
    try {
      long numel = 1;
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      expected = Math.multiplyExact(numel, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new SafetensorsFormatException(what + " has shape " + Arrays.toString(shape)
          + " whose size overflows a 64-bit byte count.", e);
    }
    if (expected != end - begin) {
      throw new SafetensorsFormatException(what + " has shape " + Arrays.toString(shape) + " and dtype " + dtype
          + ", which need " + expected + " bytes, but its data_offsets [" + begin + ", " + end + "] span "
          + (end - begin) + " bytes.");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static long[] readLongArray(String what, JsonNode node, String field, int requiredLength) {
    if (node == null || !node.isArray()) {
      throw new SafetensorsFormatException(what + " has no " + field + " array.");
    }
    if (requiredLength >= 0 && node.size() != requiredLength) {
      throw new SafetensorsFormatException(what + " has " + field + " with " + node.size()
          + " values instead of " + requiredLength + ".");
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new SafetensorsFormatException(what + " has " + field + " " + node
            + " whose entries are not all non-negative integers.");
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** The tensors must tile the data section exactly: no overlaps, no holes, no trailing bytes. */
  private static void checkCoverage(Path path, Map<String, Entry> entries, long dataSize) {
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long covered = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < covered) {
        throw new SafetensorsFormatException(path + ": tensor '" + e.name() + "' (bytes " + e.begin() + " to "
            + e.end() + ") overlaps tensor '" + previous.name() + "' (bytes " + previous.begin() + " to "
            + previous.end() + ").");
      }
      if (e.begin() > covered) {
        throw new SafetensorsFormatException(path + " leaves bytes " + covered + " to " + e.begin()
            + " of the data section unused before tensor '" + e.name() + "'; the format does not allow holes.");
      }
      covered = e.end();
      if (e.byteLength() > 0) {
        previous = e;
      }
    }
    if (covered != dataSize) {
      throw new SafetensorsFormatException(path + " has " + (dataSize - covered)
          + " bytes after the last tensor that no tensor uses; the format does not allow trailing data.");
    }
  }
}
