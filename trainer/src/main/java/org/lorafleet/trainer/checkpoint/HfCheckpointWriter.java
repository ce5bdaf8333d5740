package org.lorafleet.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
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
   * @param tokenizerSource a tokenizer.json to copy into the folder, or null for none; the
   *     {@link #COMPANION_FILES} beside it are copied too
   * @throws CheckpointException if {@code tokenizerSource} is given but is not a file
   */
  public static void write(Path dir, JsonNode config, Map<String, FloatTensor> tensors, Path tokenizerSource) {
    write(dir, config, tensors, Map.of(), tokenizerSource);
  }

  /**
   * Files beside tokenizer.json that make a folder load as-is elsewhere: generation settings, the
   * tokenizer's special tokens and chat template, and the slow tokenizers' vocabularies.
   */
  public static final java.util.List<String> COMPANION_FILES = java.util.List.of(HfCheckpoint.GENERATION_CONFIG,
      "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "chat_template.json",
      "added_tokens.json", "tokenizer.model", "vocab.json", "merges.txt");

  /**
   * As {@link #write(Path, JsonNode, Map, Path)}, storing each tensor in {@code dtypes.get(name)}
   * (F32 when absent; F16 and BF16 are rounded to nearest even) and copying every
   * {@link #COMPANION_FILES companion file} found beside {@code tokenizerSource}.
   */
  public static void write(Path dir, JsonNode config, Map<String, FloatTensor> tensors,
      Map<String, org.lorafleet.trainer.safetensors.DType> dtypes, Path tokenizerSource) {
    if (config == null || !config.isObject()) {
      throw new IllegalArgumentException("The config for checkpoint " + dir + " must be a JSON object.");
    }
    if (tokenizerSource != null && !Files.isRegularFile(tokenizerSource)) {
      throw new CheckpointException("Tokenizer file " + tokenizerSource + " for checkpoint " + dir
          + " does not exist.");
    }
    try {
      Files.createDirectories(dir);
      SafetensorsWriter.write(dir.resolve(HfCheckpoint.WEIGHTS), tensors, dtypes, Map.of("format", "pt"));
      // A stale index from an earlier sharded save would describe other weights.
      Files.deleteIfExists(dir.resolve(HfCheckpoint.WEIGHTS_INDEX));
      JsonFiles.writePretty(dir.resolve(HfCheckpoint.CONFIG), config);
      if (tokenizerSource != null) {
        copy(tokenizerSource, dir.resolve(HfCheckpoint.TOKENIZER));
        for (String name : COMPANION_FILES) {
          Path companion = tokenizerSource.toAbsolutePath().resolveSibling(name);
          if (Files.isRegularFile(companion)) {
            copy(companion, dir.resolve(name));
          }
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
