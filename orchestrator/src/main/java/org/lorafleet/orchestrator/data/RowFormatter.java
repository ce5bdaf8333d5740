package org.lorafleet.orchestrator.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.lorafleet.trainer.tokenizer.ChatTemplate;

/**
 * Turns one input row into text segments, each trained on or not, following {@code data.format}.
 * Each segment is tokenized separately and the ids concatenated (see {@link DataPipeline}).
 */
final class RowFormatter implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  /** A piece of the rendered example. */
  record Segment(String text, boolean trained) implements Serializable {
  }

  private final DataSpec spec;
  private final transient ChatTemplate template;

  RowFormatter(DataSpec spec) {
    this(spec, null);
  }

  /** @param template the model's chat template for the chat format, or null for the generic rendering */
  RowFormatter(DataSpec spec, ChatTemplate template) {
    this.spec = spec;
    this.template = template;
  }

  /** True when chat rows are rendered with the model's own template. */
  boolean templated() {
    return template != null;
  }

  /** The Alpaca prompt: instruction, the optional input, and the response header. */
  static String alpacaPrompt(String instruction, String input) {
    StringBuilder s = new StringBuilder("### Instruction:\n").append(instruction).append("\n\n");
    if (input != null && !input.isEmpty()) {
      s.append("### Input:\n").append(input).append("\n\n");
    }
    return s.append("### Response:\n").toString();
  }

  /** The header of a chat turn, {@code "<|role|>\n"}. */
  static String chatHeader(String role) {
    return "<|" + role + "|>\n";
  }

  /**
   * The segments of a row.
   *
   * @throws BadRow with the reason when the row is malformed or lacks a field
   */
  List<Segment> format(InputFile.Kind kind, String payload) {
    if (kind == InputFile.Kind.TEXT) {
      return List.of(new Segment(payload, true));
    }
    JsonNode row = parse(payload);
    return switch (spec.format()) {
      case "text" -> List.of(new Segment(text(row, spec.textField()), true));
      case "completion" -> List.of(new Segment(text(row, spec.promptField()), false),
          new Segment(text(row, spec.completionField()), true));
      case "alpaca" -> List.of(new Segment(alpacaPrompt(text(row, "instruction"), optionalText(row, "input")), false),
          new Segment(text(row, "output"), true));
      case "chat" -> chat(row);
      default -> throw new IllegalStateException("Unknown data.format '" + spec.format() + "'.");
    };
  }

  private static JsonNode parse(String payload) {
    JsonNode row;
    try {
      row = JSON.readValue(payload);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
      msg = msg.replaceAll("\\s+", " ").trim();
      if (msg.length() > 160) {
        msg = msg.substring(0, 157) + "...";
      }
      String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      throw new BadRow("malformed JSON (" + msg + at + ")");
    } catch (java.io.IOException e) {
      throw new BadRow("malformed JSON (" + e.getMessage() + ")");
    }
    if (row == null || !row.isObject()) {
      throw new BadRow("not a JSON object");
    }
    return row;
  }

  private static String text(JsonNode row, String field) {
    String s = optionalText(row, field);
    if (s == null) {
      throw new BadRow("field '" + field + "' is missing");
    }
    if (s.isEmpty()) {
      throw new BadRow("field '" + field + "' is empty");
    }
    return s;
  }

  private static String optionalText(JsonNode row, String field) {
    JsonNode v = row.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRow("field '" + field + "' is not a string");
    }
    return v.textValue();
  }

  private List<Segment> chat(JsonNode row) {
    String field = spec.messagesField();
    JsonNode messages = row.get(field);
    if (messages == null || messages.isNull()) {
      throw new BadRow("field '" + field + "' is missing");
    }
    if (!messages.isArray()) {
      throw new BadRow("field '" + field + "' is not a list of messages");
    }
    if (messages.isEmpty()) {
      throw new BadRow("field '" + field + "' is empty");
    }
    List<Segment> out = new ArrayList<>(2 * messages.size());
    List<ChatTemplate.Message> turns = new ArrayList<>(messages.size());
    boolean answered = false;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String where = field + "[" + i + "]";
      if (!m.isObject()) {
        throw new BadRow("field '" + where + "' is not a {role, content} object");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
        throw new BadRow("field '" + where + ".role' must be system, user or assistant, got "
            + (role == null ? "nothing" : role.toString()));
      }
      JsonNode content = m.get("content");
      if (content == null || !content.isTextual()) {
        throw new BadRow("field '" + where + ".content' is " + (content == null || content.isNull() ? "missing"
            : "not a string"));
      }
      boolean assistant = "assistant".equals(role.textValue());
      answered |= assistant && !content.textValue().isEmpty();
      out.add(new Segment(chatHeader(role.textValue()), false));
      out.add(new Segment(content.textValue() + "\n", assistant));
      turns.add(new ChatTemplate.Message(role.textValue(), content.textValue()));
    }
    if (!answered) {
      throw new BadRow("field '" + field + "' has no assistant message with content");
    }
    if (template == null) {
      return out;
    }
    List<Segment> rendered = new ArrayList<>();
    try {
      for (ChatTemplate.Piece p : template.segments(turns)) {
        rendered.add(new Segment(p.text(), p.trained()));
      }
    } catch (IllegalArgumentException e) {
      throw new BadRow(e.getMessage());
    }
    return rendered;
  }
}
