package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * Plain-text dialogue as in Anthropic's HH-RLHF data: {@code "\n\nHuman: " + content} for user messages and
 * {@code "\n\nAssistant: " + content} for assistant messages. It needs no special tokens, so it works with a
 * character-level vocabulary. The mask covers an assistant message's {@code " " + content}; the model stops by
 * producing the next {@code "\n\nHuman:"}. Other roles are refused.
 */
public final class HumanAssistantTemplate implements ChatTemplate {
    private static final String HUMAN = "\n\nHuman:";
    private static final String ASSISTANT = "\n\nAssistant:";

    @Override
    public ChatEncoding render(List<ChatMessage> messages, Tokenizer tokenizer) {
        return renderMessages(messages, tokenizer).build();
    }

    @Override
    public ChatEncoding renderForGeneration(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = renderMessages(messages, tokenizer);
        builder.text(ASSISTANT, false);
        return builder.build();
    }

    private static ChatEncodingBuilder renderMessages(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = new ChatEncodingBuilder(tokenizer);
        for (ChatMessage message : messages) {
            if (message.isAssistant()) {
                builder.text(ASSISTANT, false);
                builder.text(" " + message.content(), true);
            } else if (ChatMessage.USER.equals(message.role())) {
                builder.text(HUMAN, false);
                builder.text(" " + message.content(), false);
            } else {
                throw new IllegalArgumentException(String.format(
                        "the Human/Assistant template has roles \"user\" and \"assistant\", found \"%s\"",
                        message.role()));
            }
        }
        return builder;
    }
}
