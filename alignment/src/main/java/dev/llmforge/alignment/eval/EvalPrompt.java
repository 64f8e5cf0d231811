package dev.llmforge.alignment.eval;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatEncoding;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Renders an {@link EvalRecord}'s question as a prompt in one {@link PromptStyle}, in the model's format: the
 * plain <b>document layout</b> for a base model, or a {@link ChatTemplate} for a fine-tuned one. Every style but
 * {@link PromptStyle#COMPLETION} is a conversation — the exemplars' questions and answers, then the question —
 * that the layout writes out:
 *
 * <ul>
 *   <li><b>document layout</b>: {@code "Q: " + question + "\n"} for a question, {@code "A: " + answer + "\n\n"}
 *       for an exemplar's answer, and {@code "A:"} to end the prompt — the seed's Q&A text without end-of-turn
 *       tokens (a base model's tokenizer has none). Generation stops at a blank line (a new document);
 *   <li><b>a chat template</b>: {@link ChatTemplate#renderForGeneration}; generation stops at the template's
 *       {@link ChatTemplate#endOfTurn() end of turn}.
 * </ul>
 *
 * <p>The styles, in the document layout, for "What's the capital of Peru?":
 * <pre>
 * completion   What's the capital of Peru?                     (the text as written, continued; no layout)
 * zero-shot    Q: What's the capital of Peru?\nA:
 * instruction  Q: {@value #INSTRUCTION}\nWhat's the capital of Peru?\nA:
 * few-shot     Q: What's the capital of Chile?\nA: Chile's capital is Santiago.\n\n (× shots) Q: What's the capital of Peru?\nA:
 * cot          the same, each exemplar answered with its worked solution
 * </pre>
 * Exemplars come from {@link FewShotExemplars}.
 */
public final class EvalPrompt {
    /** The instruction of {@link PromptStyle#INSTRUCTION}, on its own line before the question. */
    public static final String INSTRUCTION = "Answer the question. For a problem, end with: The answer is N.";

    /** Where a document-layout generation stops: a blank line ends the answer's document. */
    public static final String DOCUMENT_END = "\n\n";

    private final PromptStyle style;
    private final ChatTemplate template;
    private final FewShotExemplars exemplars;

    /**
     * @param style     the prompt style
     * @param template  the model's chat template, or null for the document layout
     * @param exemplars the exemplars of a few-shot style (null for the others)
     */
    public EvalPrompt(PromptStyle style, ChatTemplate template, FewShotExemplars exemplars) {
        if (style.usesExemplars() && exemplars == null) {
            throw new IllegalArgumentException("the " + style.id() + " prompt style needs few-shot exemplars");
        }
        this.style = style;
        this.template = template;
        this.exemplars = exemplars;
    }

    /**
     * A prompt: its text and token ids.
     *
     * @param text the prompt as the model reads it
     * @param ids  its token ids
     */
    public record Rendered(String text, int[] ids) {
    }

    public PromptStyle style() {
        return style;
    }

    /** The conversation the question becomes: the exemplars' turns, then the question (empty for completion). */
    public List<ChatMessage> messages(EvalRecord record) {
        List<ChatMessage> messages = new ArrayList<>();
        if (style == PromptStyle.COMPLETION) {
            return messages;
        }
        if (style.usesExemplars()) {
            for (EvalRecord exemplar : exemplars.pick(record)) {
                messages.add(ChatMessage.user(exemplar.question()));
                messages.add(ChatMessage.assistant(style == PromptStyle.COT ? FewShotExemplars.worked(exemplar)
                        : FewShotExemplars.answerOnly(exemplar)));
            }
        }
        messages.add(ChatMessage.user(style == PromptStyle.INSTRUCTION ? INSTRUCTION + "\n" + record.question() : record.question()));
        return messages;
    }

    /**
     * The prompt for {@code record}.
     *
     * @throws IllegalArgumentException when the tokenizer cannot write the prompt's text, or there are too few exemplars
     */
    public Rendered render(EvalRecord record, Tokenizer tokenizer) {
        if (style == PromptStyle.COMPLETION) {
            return new Rendered(record.question(), tokenizer.encode(record.question()));
        }
        List<ChatMessage> messages = messages(record);
        if (template != null) {
            ChatEncoding encoding = template.renderForGeneration(messages, tokenizer);
            return new Rendered(encoding.text(), encoding.ids());
        }
        String text = documentText(messages);
        return new Rendered(text, tokenizer.encode(text));
    }

    /** Sets where generation stops: the template's end of turn, or {@link #DOCUMENT_END} for the document layout. */
    public GenerationConfig.Builder stopping(GenerationConfig.Builder config, Tokenizer tokenizer) {
        if (template == null || style == PromptStyle.COMPLETION) {
            return config.stopStrings(List.of(DOCUMENT_END));
        }
        var endOfTurn = tokenizer.specialTokens().id(template.endOfTurn());
        return endOfTurn.isPresent() ? config.stopTokenIds(Set.of(endOfTurn.getAsInt()))
                : config.stopStrings(List.of(template.endOfTurn()));
    }

    /** "few-shot (3 exemplars) in the document layout", "zero-shot in the chat template". */
    public String describe() {
        String shots = style.usesExemplars() ? " (" + exemplars.shots() + " exemplars)" : "";
        String layout = style == PromptStyle.COMPLETION ? "" : template == null ? " in the document layout" : " in the chat template";
        return style.id() + shots + layout;
    }

    private static String documentText(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages) {
            boolean answer = ChatMessage.ASSISTANT.equals(m.role());
            text.append(answer ? "A: " : "Q: ").append(m.content()).append(answer ? DOCUMENT_END : "\n");
        }
        return text.append("A:").toString();
    }
}
