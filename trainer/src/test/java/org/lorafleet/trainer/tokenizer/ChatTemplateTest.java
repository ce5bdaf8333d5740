package org.lorafleet.trainer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.tokenizer.ChatTemplate.Message;
import org.lorafleet.trainer.tokenizer.ChatTemplate.Piece;

/**
 * Chat templates in the styles of this year's model families (written here, using the Jinja
 * constructs those templates use) render as Jinja with trim_blocks/lstrip_blocks would, and split
 * into untrained prompt text and trained assistant turns.
 */
class ChatTemplateTest {

  private static final List<Message> CHAT = List.of(new Message("system", "Be brief."),
      new Message("user", "Hi there"), new Message("assistant", "Hello!"), new Message("user", "Bye"),
      new Message("assistant", " Goodbye. "));

  /** Header/eot style with bos_token and the trim filter. */
  private static final String HEADERS = "{{- bos_token }}\n"
      + "{%- for message in messages %}\n"
      + "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim"
      + " + '<|eot_id|>' }}\n"
      + "{%- endfor %}\n"
      + "{%- if add_generation_prompt %}\n"
      + "    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
      + "{%- endif %}\n";

  /** im_start style with loop.first, Python string methods and a namespace. */
  private static final String IM = "{%- set ns = namespace(system=false) %}\n"
      + "{%- for message in messages %}\n"
      + "{%- if message.role == 'system' %}{% set ns.system = true %}{% endif %}\n"
      + "{%- if loop.first and message.role != 'system' %}{{- '<|im_start|>system\\nDefault.<|im_end|>\\n' }}"
      + "{%- endif %}\n"
      + "{%- if message.content.startswith(' ') %}{%- set content = message.content.strip() %}"
      + "{%- else %}{%- set content = message.content %}{%- endif %}\n"
      + "{{- '<|im_start|>' + message.role + '\\n' + content + '<|im_end|>\\n' }}\n"
      + "{%- endfor %}\n"
      + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n";

  /** turn style: alternation enforced with raise_exception, assistant renamed "model". */
  private static final String TURNS = "{{ bos_token }}\n"
      + "{%- for message in messages -%}\n"
      + "  {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}\n"
      + "    {{ raise_exception('Conversation roles must alternate user/assistant') }}\n"
      + "  {%- endif -%}\n"
      + "  {%- if message['role'] == 'assistant' -%}{%- set role = 'model' -%}"
      + "{%- else -%}{%- set role = message['role'] -%}{%- endif -%}\n"
      + "  {{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}\n"
      + "{%- endfor -%}\n"
      + "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\\n' }}{%- endif -%}\n";

  @Test
  void headerStyleRendersAndSplits() {
    ChatTemplate t = new ChatTemplate(HEADERS, "test", "<|begin_of_text|>", "<|eot_id|>");
    String full = t.render(CHAT, false);
    assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\nGoodbye.<|eot_id|>", full);
    List<Piece> pieces = t.segments(CHAT);
    assertEquals(full, pieces.stream().map(Piece::text).collect(Collectors.joining()));
    assertEquals(List.of("Hello!<|eot_id|>", "Goodbye.<|eot_id|>"), trained(pieces));
    assertTrue(t.render(CHAT.subList(0, 2), true).endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n"));
  }

  @Test
  void imStyleWithNamespaceAndStringMethods() {
    ChatTemplate t = new ChatTemplate(IM, "test", null, null);
    List<Message> noSystem = CHAT.subList(1, CHAT.size());
    assertEquals("<|im_start|>system\nDefault.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n"
        + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n"
        + "<|im_start|>assistant\nGoodbye.<|im_end|>\n", t.render(noSystem, false));
    assertEquals(List.of("Hello!<|im_end|>\n", "Goodbye.<|im_end|>\n"), trained(t.segments(noSystem)));
  }

  @Test
  void turnStyleEnforcesAlternationWithAClearError() {
    ChatTemplate t = new ChatTemplate(TURNS, "models/gemma", "<bos>", "<eos>");
    List<Message> chat = CHAT.subList(1, CHAT.size());
    assertEquals("<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
        + "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\nGoodbye.<end_of_turn>\n",
        t.render(chat, false));
    assertEquals(List.of("Hello!<end_of_turn>\n", "Goodbye.<end_of_turn>\n"), trained(t.segments(chat)));
    String msg = assertThrows(IllegalArgumentException.class, () -> t.render(CHAT, false)).getMessage();
    assertTrue(msg.contains("models/gemma") && msg.contains("roles must alternate"), msg);
  }

  @Test
  void generationMarkersChooseTheTrainedText() {
    String marked = "{%- for m in messages %}{%- if m.role == 'assistant' %}{{ 'A: ' }}{% generation %}"
        + "{{ m.content }}{{ '</a>' }}{% endgeneration %}{{ '\\n' }}{%- else %}{{ 'U: ' + m.content + '\\n' }}"
        + "{%- endif %}{%- endfor %}";
    ChatTemplate t = new ChatTemplate(marked, "test", null, null);
    List<Message> chat = CHAT.subList(1, 3);
    assertEquals("U: Hi there\nA: Hello!</a>\n", t.render(chat, false));
    assertEquals(List.of("Hello!</a>"), trained(t.segments(chat)));
  }

  private static List<String> trained(List<Piece> pieces) {
    return pieces.stream().filter(Piece::trained).map(Piece::text).toList();
  }
}
