package dev.llmforge.alignment.sft;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Generation in a chat template: the prompt is the conversation rendered for generation (ending with the
 * assistant's header), cut to the room the context leaves for the answer; generation stops at the template's
 * end-of-turn (its special token when the tokenizer has it, else its text as a stop string).
 */
public final class ChatGeneration {
    private final ChatTemplate template;
    private final Tokenizer tokenizer;

    public ChatGeneration(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
    }

    /**
     * The ids of {@code messages} followed by the assistant's header; at most {@code room} of them, the last ones,
     * when the rendering is longer.
     *
     * @throws IllegalArgumentException if {@code room} is not positive, or the template cannot render the messages
     */
    public int[] prompt(List<ChatMessage> messages, int room) {
        if (room <= 0) {
            throw new IllegalArgumentException("no room for a prompt: the answer takes the whole context");
        }
        int[] ids = template.renderForGeneration(messages, tokenizer).ids();
        return ids.length <= room ? ids : Arrays.copyOfRange(ids, ids.length - room, ids.length);
    }

    /** {@code config} stopping at the template's end-of-turn. */
    public GenerationConfig.Builder stoppingAtEndOfTurn(GenerationConfig.Builder config) {
        OptionalInt id = tokenizer.specialTokens().id(template.endOfTurn());
        return id.isPresent() ? config.stopTokenIds(Set.of(id.getAsInt())) : config.stopStrings(List.of(template.endOfTurn()));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
