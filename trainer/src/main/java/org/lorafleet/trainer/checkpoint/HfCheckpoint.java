package org.lorafleet.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.DType;
import org.lorafleet.trainer.safetensors.SafetensorsFile;

/**
 * A Hugging Face checkpoint folder as {@code save_pretrained} writes it: {@code config.json}, the
 * weights as {@code model.safetensors} or as shards listed by {@code model.safetensors.index.json},
 * and usually {@code tokenizer.json}. Shards are opened when a tensor in them is first read and stay
 * open until {@link #close()}. Safe for concurrent reads.
 */
public final class HfCheckpoint implements AutoCloseable {

  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String GENERATION_CONFIG = "generation_config.json";

  private final Path dir;
  private final JsonNode config;
  /** Tensor name to shard file name, in index (or header) order. */
  private final Map<String, String> shardOf;
  private final Map<String, SafetensorsFile> openShards = new LinkedHashMap<>();
  private boolean closed;

  private HfCheckpoint(Path dir, JsonNode config, Map<String, String> shardOf) {
    this.dir = dir;
    this.config = config;
    this.shardOf = Collections.unmodifiableMap(shardOf);
  }

  /**
   * Opens the checkpoint in {@code dir}, reading config.json and the weight index (or the single
   * weights file's header).
   *
   * @throws CheckpointException if the folder, config.json, the weights or a listed shard is missing or malformed
   */
  public static HfCheckpoint open(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(d)) {
      throw new CheckpointException("Checkpoint folder " + d + " does not exist or is not a directory.");
    }
    Path configFile = d.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new CheckpointException("Checkpoint folder " + d + " has no " + CONFIG
          + "; a Hugging Face checkpoint needs one to describe the model.");
    }
    JsonNode config = JsonFiles.readObject(configFile);
    Path single = d.resolve(WEIGHTS);
    Path index = d.resolve(WEIGHTS_INDEX);
    if (Files.isRegularFile(single)) {
      SafetensorsFile file = SafetensorsFile.open(single);
      Map<String, String> shardOf = new LinkedHashMap<>();
      for (String name : file.names()) {
        shardOf.put(name, WEIGHTS);
      }
      HfCheckpoint cp = new HfCheckpoint(d, config, shardOf);
      cp.openShards.put(WEIGHTS, file);
      return cp;
    }
    if (Files.isRegularFile(index)) {
      return new HfCheckpoint(d, config, readIndex(d, index));
    }
    throw new CheckpointException("Checkpoint folder " + d + " has neither " + WEIGHTS + " nor " + WEIGHTS_INDEX
        + "; only safetensors weights are supported.");
  }

  private static Map<String, String> readIndex(Path dir, Path index) {
    JsonNode map = JsonFiles.readObject(index).get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(index + " has no \"weight_map\" object mapping tensor names to shard files.");
    }
    Map<String, String> shardOf = new LinkedHashMap<>();
    Map<String, String> firstTensorOfShard = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = map.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(index + " maps tensor '" + e.getKey() + "' to " + e.getValue()
            + " instead of a shard file name.");
      }
      String shard = e.getValue().textValue();
      Path resolved = dir.resolve(shard).normalize();
      if (!resolved.getParent().equals(dir)) {
        throw new CheckpointException(index + " maps tensor '" + e.getKey() + "' to shard '" + shard
            + "', which is not a file name inside the checkpoint folder.");
      }
      shardOf.put(e.getKey(), shard);
      firstTensorOfShard.putIfAbsent(shard, e.getKey());
    }
    for (Map.Entry<String, String> e : firstTensorOfShard.entrySet()) {
      if (!Files.isRegularFile(dir.resolve(e.getKey()))) {
        throw new CheckpointException("Checkpoint folder " + dir + " is missing shard " + e.getKey() + ", which "
            + WEIGHTS_INDEX + " lists for tensor '" + e.getValue() + "' and others.");
      }
    }
    return shardOf;
  }

  public Path dir() {
    return dir;
  }

  /** The parsed config.json (a copy: changes do not affect this checkpoint). */
  public JsonNode config() {
    return config.deepCopy();
  }

  /** Every tensor name, in the order of the index or of the single file's header. */
  public Set<String> tensorNames() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(shardOf.keySet()));
  }

  public boolean has(String name) {
    return shardOf.containsKey(name);
  }

  /** Reads a tensor as float32 (F32, F16, BF16 or F64 in the file). */
  public FloatTensor tensor(String name) {
    return shardFor(name).readFloat(name);
  }

  /** Copies a tensor's raw bytes (its file dtype) into {@code dst}. */
  public void readRaw(String name, java.nio.ByteBuffer dst) {
    shardFor(name).readRaw(name, dst);
  }

  public long[] shape(String name) {
    return shardFor(name).shape(name);
  }

  public DType dtype(String name) {
    return shardFor(name).dtype(name);
  }

  /**
   * The checkpoint's tokenizer.json.
   *
   * @throws CheckpointException if the folder has none
   */
  public Path tokenizerPath() {
    Path p = dir.resolve(TOKENIZER);
    if (!Files.isRegularFile(p)) {
      throw new CheckpointException("Checkpoint folder " + dir + " has no " + TOKENIZER
          + "; copy the base model's tokenizer.json into it or configure a tokenizer path.");
    }
    return p;
  }

  @Override
  public synchronized void close() {
    closed = true;
    RuntimeException first = null;
    for (SafetensorsFile f : openShards.values()) {
      try {
        f.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    openShards.clear();
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "HfCheckpoint[" + dir + ", " + shardOf.size() + " tensors]";
  }

  private synchronized SafetensorsFile shardFor(String name) {
    if (closed) {
      throw new IllegalStateException("Checkpoint " + dir + " is closed.");
    }
    String shard = shardOf.get(name);
    if (shard == null) {
      throw new CheckpointException("Checkpoint " + dir + " has no tensor named '" + name + "' (it has "
          + shardOf.size() + " tensors).");
    }
    SafetensorsFile file = openShards.get(shard);
    if (file == null) {
      file = SafetensorsFile.open(dir.resolve(shard));
      openShards.put(shard, file);
    }
    if (!file.has(name)) {
      throw new CheckpointException("Checkpoint " + dir + " lists tensor '" + name + "' in shard " + shard
          + " but that shard does not contain it.");
    }
    return file;
  }
}
