package dev.llmforge.tokenizer.chat;

import dev.llmforge.tokenizer.SpecialTokens;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * A dialogue written as labelled plain text, with {@code <|endoftext|>} closing each assistant turn: a user turn is
 * {@code userLabel + " " + content + afterUser}, an assistant turn {@code assistantLabel} followed by the trained
 * {@code " " + content + "<|endoftext|>"}, and {@code afterAnswer} separates an assistant turn from the next turn.
 * Only the roles "user" and "assistant" are accepted.
 */
abstract class PlainTextTemplate implements ChatTemplate {
    private final String name;
    private final String userLabel;
    private final String afterUser;
    private final String assistantLabel;
    private final String afterAnswer;

    PlainTextTemplate(String name, String userLabel, String afterUser, String assistantLabel, String afterAnswer) {
        this.name = name;
        this.userLabel = userLabel;
        this.afterUser = afterUser;
        this.assistantLabel = assistantLabel;
        this.afterAnswer = afterAnswer;
    }

    @Override
    public final ChatEncoding render(List<ChatMessage> messages, Tokenizer tokenizer) {
        return renderMessages(messages, tokenizer).build();
    }

    @Override
    public final ChatEncoding renderForGeneration(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = renderMessages(messages, tokenizer);
        if (!messages.isEmpty() && messages.get(messages.size() - 1).isAssistant()) {
            builder.text(afterAnswer, false);
        }
        builder.text(assistantLabel, false);
        return builder.build();
    }

    @Override
    public final List<String> specialTokens() {
        return List.of(SpecialTokens.END_OF_TEXT);
    }

    @Override
    public final String endOfTurn() {
        return SpecialTokens.END_OF_TEXT;
    }

    private ChatEncodingBuilder renderMessages(List<ChatMessage> messages, Tokenizer tokenizer) {
        ChatEncodingBuilder builder = new ChatEncodingBuilder(tokenizer);
        builder.requireSpecial(endOfTurn(), name);
        ChatMessage previous = null;
        for (ChatMessage message : messages) {
            if (previous != null && previous.isAssistant()) {
                builder.text(afterAnswer, false);
            }
            if (message.isAssistant()) {
                builder.text(assistantLabel, false);
                builder.text(" " + message.content(), true);
                builder.special(endOfTurn(), true);
            } else if (ChatMessage.USER.equals(message.role())) {
                builder.text(userLabel, false);
                builder.text(" " + message.content() + afterUser, false);
            } else {
                throw new IllegalArgumentException(String.format(
                        "%s has roles \"user\" and \"assistant\", found \"%s\"", name, message.role()));
            }
            previous = message;
        }
        return builder;
    }
}
