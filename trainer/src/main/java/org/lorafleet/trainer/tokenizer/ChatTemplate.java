package org.lorafleet.trainer.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's own chat template (the Jinja text of {@code chat_template} in tokenizer_config.json or
 * {@code chat_template.jinja}), rendered as transformers' {@code apply_chat_template} does: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token}, and the {@code raise_exception} / {@code strftime_now}
 * helpers, through Jinjava. Python string methods common in templates ({@code startswith},
 * {@code endswith}, {@code upper}, {@code lower}) are mapped to Java's.
 *
 * <p>{@link #segments} splits a conversation into untrained text and trained assistant turns: by the
 * template's {@code {% generation %}} markers when it has them, else by rendering prefixes
 * (everything up to an assistant turn with the generation prompt, then up to the end of that turn).
 */
public final class ChatTemplate {

  /** One turn of a conversation. */
  public record Message(String role, String content) {}

  /** A piece of rendered text, trained on (assistant output) or not. */
  public record Piece(String text, boolean trained) {}

  private static final char START = '\u0002'; // marks {% generation %} output; never in chat text
  private static final char END = '\u0003';

  private final String source;
  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final boolean hasGenerationMarkers;
  private final Jinjava jinjava;

  /**
   * @param source where the template came from, for error messages
   * @param bosToken {@code bos_token} as text (may be null) @param eosToken {@code eos_token} (may be null)
   */
  public ChatTemplate(String template, String source, String bosToken, String eosToken) {
    this.source = source;
    this.template = pythonisms(template);
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.hasGenerationMarkers = template.matches("(?s).*\\{%-?\\s*generation\\s*-?%}.*");
    jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
        "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
        "strftimeNow", String.class));
    jinjava.getGlobalContext().registerTag(new GenerationTag());
  }

  /** The model's template, or null when it defines none. */
  public static ChatTemplate of(SpecialTokens special, String source) {
    return special.chatTemplate() == null ? null
        : new ChatTemplate(special.chatTemplate(), source, special.bosToken(), special.eosToken());
  }

  /** The conversation as the model sees it; with {@code addGenerationPrompt}, ready for the reply. */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    return strip(renderMarked(messages, addGenerationPrompt));
  }

  /**
   * The rendered conversation as pieces whose concatenation is {@link #render}(messages, false);
   * assistant turns (their content and end-of-turn text) are the trained pieces.
   *
   * @throws IllegalArgumentException when the template cannot be split (an earlier turn renders
   *     differently once later turns follow) or fails to render
   */
  public List<Piece> segments(List<Message> messages) {
    List<Piece> out = new ArrayList<>();
    if (hasGenerationMarkers) {
      String marked = renderMarked(messages, false);
      StringBuilder cur = new StringBuilder();
      boolean trained = false;
      for (int i = 0; i < marked.length(); i++) {
        char c = marked.charAt(i);
        if (c == START || c == END) {
          add(out, cur.toString(), trained);
          cur.setLength(0);
          trained = c == START;
        } else {
          cur.append(c);
        }
      }
      add(out, cur.toString(), trained);
      return out;
    }
    String full = render(messages, false);
    int done = 0;
    for (int k = 0; k < messages.size(); k++) {
      if (!messages.get(k).role().equals("assistant")) {
        continue;
      }
      String before = render(messages.subList(0, k), true);
      String upTo = render(messages.subList(0, k + 1), false);
      if (!upTo.startsWith(before) || !full.startsWith(upTo) || before.length() < done) {
        throw new IllegalArgumentException("The chat template of " + source + " renders earlier turns differently "
            + "once later turns follow, so assistant turn " + k + " cannot be located for training; use a template "
            + "with {% generation %} markers or data.format: completion.");
      }
      add(out, full.substring(done, before.length()), false);
      add(out, full.substring(before.length(), upTo.length()), true);
      done = upTo.length();
    }
    add(out, full.substring(done), false);
    return out;
  }

  private static void add(List<Piece> out, String text, boolean trained) {
    if (!text.isEmpty()) {
      out.add(new Piece(text, trained));
    }
  }

  private String renderMarked(List<Message> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      msgs.add(map);
    }
    Map<String, Object> ctx = new HashMap<>();
    ctx.put("messages", msgs);
    ctx.put("add_generation_prompt", addGenerationPrompt);
    ctx.put("bos_token", bosToken);
    ctx.put("eos_token", eosToken);
    RenderResult r;
    RAISED.remove();
    try {
      r = jinjava.renderForResult(template, ctx);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("The chat template of " + source + " failed: " + rootMessage(e), e);
    }
    for (TemplateError e : r.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        String raised = RAISED.get();
        throw new IllegalArgumentException("The chat template of " + source + (raised != null
            ? " refuses the conversation: " + raised : " failed at line " + e.getLineno() + ": " + e.getMessage())
            + ".");
      }
    }
    return r.getOutput();
  }

  private static String strip(String marked) {
    return marked.replace(String.valueOf(START), "").replace(String.valueOf(END), "");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Python string methods templates use, mapped to their Java equivalents. */
  static String pythonisms(String t) {
    // Jinjava ignores the whitespace control of {{- and -}} (it honours {%- and -%}): apply it here
    t = t.replaceAll("\\s*\\{\\{-", "{{").replaceAll("-}}\\s*", "}}");
    return t.replace(".startswith(", ".startsWith(").replace(".endswith(", ".endsWith(")
        .replace(".upper()", ".toUpperCase()").replace(".lower()", ".toLowerCase()")
        .replace(".lstrip()", ".stripLeading()").replace(".rstrip()", ".stripTrailing()");
  }

  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

  /** {@code raise_exception(msg)}: the template refuses the conversation. */
  public static String raiseException(String message) {
    RAISED.set(message);
    throw new IllegalArgumentException(message);
  }

  /** {@code strftime_now(fmt)}: today's date in the common Python strftime fields. */
  public static String strftimeNow(String format) {
    LocalDate d = LocalDate.now();
    return format.replace("%d", String.format(Locale.ROOT, "%02d", d.getDayOfMonth()))
        .replace("%m", String.format(Locale.ROOT, "%02d", d.getMonthValue()))
        .replace("%Y", String.valueOf(d.getYear()))
        .replace("%b", d.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH)))
        .replace("%B", d.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH)));
  }

  /** {@code {% generation %}…{% endgeneration %}}: marks assistant output (transformers' AssistantTracker). */
  private static final class GenerationTag implements Tag {
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String getEndTagName() {
      return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      StringBuilder s = new StringBuilder().append(START);
      for (Node child : tagNode.getChildren()) {
        s.append(child.render(interpreter).getValue());
      }
      return s.append(END).toString();
    }
  }
}
