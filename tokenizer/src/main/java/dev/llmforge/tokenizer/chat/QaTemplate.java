package dev.llmforge.tokenizer.chat;

/**
 * Question and answer lines, the style of plain Q&A text: {@code "Q: " + question + "\n"} for user messages and
 * {@code "A: " + answer + "<|endoftext|>"} for assistant messages, with a blank line ({@code "\n\n"}) between an
 * answer and the next question:
 *
 * <pre>
 * Q: What's the capital of China?
 * A: China's capital is Beijing.&lt;|endoftext|&gt;
 * </pre>
 *
 * The mask covers an answer's {@code " " + answer} and its {@code <|endoftext|>} (so the model learns to stop),
 * not the {@code "A:"} before it nor the blank line and {@code "Q:"} after it. A generation prompt ends with
 * {@code "A:"}. Besides {@code <|endoftext|>} it needs no special tokens. Other roles are refused.
 */
public final class QaTemplate extends PlainTextTemplate {
    public QaTemplate() {
        super("the Q&A template", "Q:", "\n", "A:", "\n\n");
    }
}
