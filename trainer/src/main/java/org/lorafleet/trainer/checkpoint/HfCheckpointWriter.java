package org.lorafleet.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lorafleet.ps.tensor.FloatTensor;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;

/**
 * Writes a Hugging Face checkpoint folder (for example a merged model) that {@code from_pretrained}
 * and {@link HfCheckpoint} load: config.json, model.safetensors with {@code {"format": "pt"}}
 * metadata, and the tokenizer files. Each file is written under a temporary name and renamed.
 */
public final class HfCheckpointWriter {

  private HfCheckpointWriter() {
  }

  /**
   * Writes the checkpoint into {@code dir}, creating it if needed.
   *
   * @param config the model configuration, written as config.json
   * @param tensors the weights in the order to store them
   * @param tokenizerSource a tokenizer.json to copy into the folder, or null for none; a
   *     generation_config.json beside it is copied too
   * @throws CheckpointException if {@code tokenizerSource} is given but is not a file
   */
  public static void write(Path dir, JsonNode config, Map<String, FloatTensor> tensors, Path tokenizerSource) {
    if (config == null || !config.isObject()) {
      throw new IllegalArgumentException("The config for checkpoint " + dir + " must be a JSON object.");
    }
    if (tokenizerSource != null && !Files.isRegularFile(tokenizerSource)) {
      throw new CheckpointException("Tokenizer file " + tokenizerSource + " for checkpoint " + dir
          + " does not exist.");
    }
    try {
      Files.createDirectories(dir);
      SafetensorsWriter.write(dir.resolve(HfCheckpoint.WEIGHTS), tensors, Map.of("format", "pt"));
      // A stale index from an earlier sharded save would describe other weights.
      Files.deleteIfExists(dir.resolve(HfCheckpoint.WEIGHTS_INDEX));
      JsonFiles.writePretty(dir.resolve(HfCheckpoint.CONFIG), config);
      if (tokenizerSource != null) {
        copy(tokenizerSource, dir.resolve(HfCheckpoint.TOKENIZER));
        Path generation = tokenizerSource.toAbsolutePath().resolveSibling(HfCheckpoint.GENERATION_CONFIG);
        if (Files.isRegularFile(generation)) {
          copy(generation, dir.resolve(HfCheckpoint.GENERATION_CONFIG));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Copies with default permissions (read-only sources stay overwritable copies) via a temporary name. */
  private static void copy(Path source, Path target) throws IOException {
    if (Files.exists(target) && Files.isSameFile(source, target)) {
      return;
    }
    JsonFiles.writeAtomically(target, Files.readAllBytes(source));
  }
}
