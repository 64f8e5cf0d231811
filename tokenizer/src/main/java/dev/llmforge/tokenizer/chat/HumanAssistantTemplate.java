package dev.llmforge.tokenizer.chat;

/**
 * Plain-text dialogue as in Anthropic's HH-RLHF data: {@code "\n\nHuman: " + content} for user messages and
 * {@code "\n\nAssistant: " + content + "<|endoftext|>"} for assistant messages. Besides the end-of-turn token it
 * needs no special tokens, so it works with a character-level vocabulary that has {@code <|endoftext|>}. The mask
 * covers an assistant message's {@code " " + content} and its {@code <|endoftext|>}, so the model learns to stop;
 * the next {@code "\n\nHuman:"} is not trained. A generation prompt ends with {@code "\n\nAssistant:"}. Other
 * roles are refused.
 */
public final class HumanAssistantTemplate extends PlainTextTemplate {
    public HumanAssistantTemplate() {
        super("the Human/Assistant template", "\n\nHuman:", "", "\n\nAssistant:", "");
    }
}
