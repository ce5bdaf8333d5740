package org.lorafleet.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lorafleet.orchestrator.data.RowFormatter.Segment;

/** Rendering of each format and the reasons given for bad rows (no Spark, no tokenizer). */
class RowFormatterTest {

  private static List<Segment> format(String format, String json) {
    return new RowFormatter(DataSpec.defaults("x", format, 8)).format(InputFile.Kind.JSON, json);
  }

  private static String reason(String format, String json) {
    return assertThrows(BadRow.class, () -> format(format, json)).getMessage();
  }

  @Test
  void rendersEveryFormat() {
    assertEquals(List.of(new Segment("hi there", true)), format("text", "{\"text\": \"hi there\"}"));
    assertEquals(List.of(new Segment("Q?", false), new Segment(" A.", true)),
        format("completion", "{\"prompt\": \"Q?\", \"completion\": \" A.\"}"));
    assertEquals(List.of(new Segment("### Instruction:\nAdd.\n\n### Input:\n2 2\n\n### Response:\n", false),
        new Segment("4", true)), format("alpaca", "{\"instruction\": \"Add.\", \"input\": \"2 2\", \"output\": \"4\"}"));
    assertEquals(List.of(new Segment("### Instruction:\nSay hi.\n\n### Response:\n", false), new Segment("hi", true)),
        format("alpaca", "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"hi\"}"));
    assertEquals(List.of(new Segment("<|system|>\n", false), new Segment("Be brief.\n", false),
        new Segment("<|user|>\n", false), new Segment("Hi\n", false),
        new Segment("<|assistant|>\n", false), new Segment("Hello!\n", true)),
        format("chat", "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
            + "{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}"));
    assertEquals(List.of(new Segment("any line {", true)),
        new RowFormatter(DataSpec.defaults("x", "text", 8)).format(InputFile.Kind.TEXT, "any line {"));
  }

  @Test
  void namesTheProblemOfBadRows() {
    assertTrue(reason("text", "{\"text\": \"a\"").startsWith("malformed JSON ("), reason("text", "{\"text\": \"a\""));
    assertTrue(reason("text", "{\"text\": \"a\"} x").startsWith("malformed JSON ("));
    assertEquals("not a JSON object", reason("text", "[1, 2]"));
    assertEquals("field 'text' is missing", reason("text", "{\"txt\": \"a\"}"));
    assertEquals("field 'text' is missing", reason("text", "{\"text\": null}"));
    assertEquals("field 'text' is empty", reason("text", "{\"text\": \"\"}"));
    assertEquals("field 'text' is not a string", reason("text", "{\"text\": 3}"));
    assertEquals("field 'completion' is missing", reason("completion", "{\"prompt\": \"p\"}"));
    assertEquals("field 'output' is missing", reason("alpaca", "{\"instruction\": \"i\"}"));
    assertEquals("field 'messages' is not a list of messages", reason("chat", "{\"messages\": \"hi\"}"));
    assertEquals("field 'messages' is empty", reason("chat", "{\"messages\": []}"));
    assertEquals("field 'messages[0].role' must be system, user or assistant, got \"bot\"",
        reason("chat", "{\"messages\": [{\"role\": \"bot\", \"content\": \"x\"}]}"));
    assertEquals("field 'messages[1].content' is missing",
        reason("chat", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"assistant\"}]}"));
    assertEquals("field 'messages' has no assistant message with content",
        reason("chat", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"));
  }
}
