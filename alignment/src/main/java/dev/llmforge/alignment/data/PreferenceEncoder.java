package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatEncoding;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns preference groups into prompt ids and response ids with response masks. The prompt is rendered for
 * generation (ending with the assistant header); each response is the rest of the template's rendering of prompt
 * and response, up to and including its last end-of-turn token.
 *
 * <p><b>Length.</b> Prompt plus either response holds at most {@code maxTokens} ids: for a model of context T pass T
 * (a reward model reads every token; DPO scores every id with {@code TokenLogProbs}). When a
 * group does not fit, its prompt keeps its end and every response its start, the room shared as
 * {@link PromptBudget} says with the group's longest response; all pairs of a group keep the same prompt ids.
 */
public final class PreferenceEncoder {
    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final int maxTokens;

    public PreferenceEncoder(ChatTemplate template, Tokenizer tokenizer, int maxTokens) {
        this.template = Objects.requireNonNull(template, "template");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        PromptBudget.checkLimit(maxTokens);
        this.maxTokens = maxTokens;
    }

    /**
     * The examples of {@code group}'s pairs, in order, sharing one prompt array.
     *
     * @throws IllegalArgumentException naming the group's file and line when the template cannot render it
     */
    public List<PreferenceExample> encode(PreferenceGroup group) {
        try {
            return encodeOrExplain(group);
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException(group.location() + ": " + e.reason());
        }
    }

    /**
     * The examples of {@code groups}, one list per group, in order; a group the template cannot render goes to
     * {@code bad}.
     *
     * @throws BadRecordException for such a group, unless bad records are skipped
     */
    public List<List<PreferenceExample>> encodeAll(List<PreferenceGroup> groups, BadRecords bad)
            throws BadRecordException {
        return bad.convertEach(groups, PreferenceGroup::location, this::encodeOrExplain);
    }

    private List<PreferenceExample> encodeOrExplain(PreferenceGroup group) {
        int[] prompt = InvalidRecordException.check(
                () -> template.renderForGeneration(group.prompt(), tokenizer)).ids();
        List<MaskedTokens[]> responses = new ArrayList<>(group.pairs().size());
        int longest = 0;
        for (PreferencePair pair : group.pairs()) {
            MaskedTokens chosen = response(group.prompt(), pair.chosen(), prompt);
            MaskedTokens rejected = response(group.prompt(), pair.rejected(), prompt);
            responses.add(new MaskedTokens[] {chosen, rejected});
            longest = Math.max(longest, Math.max(chosen.length(), rejected.length()));
        }
        int promptKept = PromptBudget.promptTokensKept(prompt.length, longest, maxTokens);
        int[] promptIds = Arrays.copyOfRange(prompt, prompt.length - promptKept, prompt.length);
        int responseRoom = maxTokens - promptKept;
        List<PreferenceExample> examples = new ArrayList<>(responses.size());
        for (int i = 0; i < responses.size(); i++) {
            MaskedTokens chosen = responses.get(i)[0];
            MaskedTokens rejected = responses.get(i)[1];
            int dropped = Math.max(chosen.length() - responseRoom, 0) + Math.max(rejected.length() - responseRoom, 0);
            examples.add(new PreferenceExample(promptIds, keepStart(chosen, responseRoom),
                    keepStart(rejected, responseRoom), group.pairs().get(i).margin(),
                    new Truncation(prompt.length - promptKept, dropped), group.location()));
        }
        return examples;
    }

    /** The tokens {@code response} adds after the prompt, up to its last assistant token. */
    private MaskedTokens response(List<ChatMessage> prompt, List<ChatMessage> response, int[] promptIds) {
        List<ChatMessage> conversation = new ArrayList<>(prompt);
        conversation.addAll(response);
        ChatEncoding rendering = InvalidRecordException.check(() -> template.render(conversation, tokenizer));
        int[] ids = rendering.ids();
        if (ids.length < promptIds.length || !Arrays.equals(ids, 0, promptIds.length, promptIds, 0, promptIds.length)) {
            throw new IllegalStateException("the chat template " + template.getClass().getSimpleName()
                    + " renders a prompt for generation differently from the same prompt before a response");
        }
        boolean[] mask = rendering.assistantMask();
        int end = mask.length;
        while (end > promptIds.length && !mask[end - 1]) {
            end--;
        }
        return new MaskedTokens(Arrays.copyOfRange(ids, promptIds.length, end),
                Arrays.copyOfRange(mask, promptIds.length, end));
    }

    private static MaskedTokens keepStart(MaskedTokens tokens, int room) {
        if (tokens.length() <= room) {
            return tokens;
        }
        return new MaskedTokens(Arrays.copyOf(tokens.ids(), room), Arrays.copyOf(tokens.lossMask(), room));
    }
}
