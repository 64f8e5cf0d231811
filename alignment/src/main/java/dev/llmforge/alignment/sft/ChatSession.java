package dev.llmforge.alignment.sft;

import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.generate.StopReason;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.StreamingDecoder;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A multi-turn conversation with a fine-tuned model in its chat template. Each reply is sampled after the whole
 * history (an optional system message, then the turns) rendered for generation, and streamed as text. The history
 * is cut to the context: the oldest exchanges are left out, whole, until the prompt and the longest reply fit; if the
 * latest message alone does not fit, its rendering keeps its end. The conversation keeps every turn (a later,
 * shorter turn may bring older ones back into view).
 */
public final class ChatSession implements AutoCloseable {
    private final Gpt model;
    private final ChatGeneration chat;
    private final Generator generator;
    private final int maxNewTokens;
    private final long seed;
    private final List<ChatMessage> turns = new ArrayList<>();
    private String system;
    private double temperature;
    private int replies;

    /** What one reply was. */
    public record Reply(String text, int turnsLeftOut, boolean endedAtEndOfTurn) {
    }

    /**
     * @param maxNewTokens the longest reply (less than the model's context)
     * @param temperature  0 for greedy
     * @param seed         sampling seed; reply i samples from {@code seed + i}
     */
    public ChatSession(Gpt model, ChatTemplate template, Tokenizer tokenizer, int maxNewTokens, double temperature,
                       long seed) {
        if (maxNewTokens <= 0 || maxNewTokens >= model.config().blockSize()) {
            throw new IllegalArgumentException("a reply must be 1 to " + (model.config().blockSize() - 1) + " tokens for a context of "
                    + model.config().blockSize() + ", got " + maxNewTokens);
        }
        this.model = model;
        this.chat = new ChatGeneration(template, tokenizer);
        this.generator = new Generator(model, tokenizer::decode);
        this.maxNewTokens = maxNewTokens;
        this.seed = seed;
        temperature(temperature);
    }

    /** Forgets the turns (the system message stays). */
    public void reset() {
        turns.clear();
    }

    /** The system message that opens every prompt; null or blank for none. */
    public void system(String text) {
        system = text == null || text.isBlank() ? null : text;
    }

    /** The sampling temperature of later replies; 0 is greedy. */
    public void temperature(double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("the temperature must be a finite number >= 0, got " + t);
        }
        temperature = t;
    }

    public double temperature() {
        return temperature;
    }

    /** The turns so far (user and assistant messages, oldest first). */
    public List<ChatMessage> turns() {
        return List.copyOf(turns);
    }

    /**
     * Answers {@code userText}, passing the reply's text to {@code onText} piece by piece as it is sampled. The message
     * and the reply join the conversation when the reply is complete.
     *
     * @throws IllegalArgumentException if the template cannot render the conversation (e.g. a system message in a
     *                                  template without one); the conversation is then unchanged
     */
    public Reply reply(String userText, Consumer<String> onText) {
        List<ChatMessage> conversation = new ArrayList<>(turns);
        conversation.add(ChatMessage.user(userText));
        int room = model.config().blockSize() - maxNewTokens;
        int leftOut = 0;
        int[] prompt = chat.prompt(window(conversation, leftOut), Integer.MAX_VALUE);
        while (prompt.length > room && leftOut + 2 < conversation.size()) {
            leftOut += 2; // one user message and the answer to it
            prompt = chat.prompt(window(conversation, leftOut), Integer.MAX_VALUE);
        }
        if (prompt.length > room) {
            prompt = chat.prompt(window(conversation, leftOut), room);
        }
        GenerationConfig config = chat.stoppingAtEndOfTurn(GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature)
                .seed(seed + replies++)).build();
        StreamingDecoder decoder = chat.tokenizer().newDecoder();
        GenerationResult result = generator.generate(prompt, config, (row, token) -> onText.accept(decoder.push(token)));
        onText.accept(decoder.finish());
        turns.add(ChatMessage.user(userText));
        turns.add(ChatMessage.assistant(result.text()));
        return new Reply(result.text(), leftOut, result.reason() != StopReason.MAX_TOKENS);
    }

    /** The system message and the messages of {@code conversation} from {@code from} on. */
    private List<ChatMessage> window(List<ChatMessage> conversation, int from) {
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.addAll(conversation.subList(from, conversation.size()));
        return messages;
    }

    @Override
    public void close() {
        generator.close();
    }
}
