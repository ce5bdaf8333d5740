package org.lorafleet.trainer.checkpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.lorafleet.trainer.safetensors.SafetensorsWriter;

/**
 * Reading and writing the small JSON files of a checkpoint (config.json, index files, adapter
 * configs) with error messages that name the file and the line and column of a syntax error.
 */
public final class JsonFiles {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonFiles() {
  }

  /**
   * Parses {@code file}, which must hold a JSON object.
   *
   * @throws CheckpointException if the file is missing, is not valid JSON or is not an object
   */
  public static JsonNode readObject(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + " does not exist.", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file + ": " + e.getMessage(), e);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new CheckpointException(file + " is not valid JSON" + where + ": " + e.getOriginalMessage() + ".", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not parse " + file + ": " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      String kind = node == null || node.isMissingNode() ? "empty" : "a JSON " + node.getNodeType().name().toLowerCase();
      throw new CheckpointException(file + " is " + kind + " instead of a JSON object.");
    }
    return node;
  }

  /** Writes {@code node} indented by two spaces, as Python's {@code json.dumps(indent=2)} lays it out, atomically. */
  public static void writePretty(Path file, JsonNode node) {
    try {
      String text = MAPPER.writer(new PythonStylePrinter()).writeValueAsString(node) + "\n";
      writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes bytes to a temporary sibling and renames it over {@code file}. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = SafetensorsWriter.temporarySibling(file);
    try {
      Files.write(tmp, bytes);
      SafetensorsWriter.moveIntoPlace(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Two-space indentation, one array element per line, {@code "key": value} separators. */
  private static final class PythonStylePrinter extends DefaultPrettyPrinter {

    private static final long serialVersionUID = 1L;

    PythonStylePrinter() {
      DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
      indentArraysWith(indenter);
      indentObjectsWith(indenter);
    }

    PythonStylePrinter(PythonStylePrinter base) {
      super(base);
    }

    @Override
    public DefaultPrettyPrinter createInstance() {
      return new PythonStylePrinter(this);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
      if (nrOfEntries == 0) {
        --_nesting;
        g.writeRaw('}');
      } else {
        super.writeEndObject(g, nrOfEntries);
      }
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      if (nrOfValues == 0) {
        --_nesting;
        g.writeRaw(']');
      } else {
        super.writeEndArray(g, nrOfValues);
      }
    }
  }
}
