package dev.llmforge.alignment.data;

import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatEncoding;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns fine-tuning records into token ids and a loss mask. The chat template renders the conversation; the
 * template's end-of-turn token closes every assistant turn and is a label like the assistant's text, so the model
 * learns to stop. What the template writes after the last assistant turn (ChatML's closing line break) is dropped:
 * it is neither trained nor seen in generation, which stops at the end-of-turn.
 *
 * <p><b>Loss.</b> {@link LossOn#ASSISTANT} (the default): labels are the template's assistant mask — every
 * assistant message's text and its end-of-turn token, not role headers, user or system text. {@link LossOn#ALL}:
 * every token.
 *
 * <p><b>Length.</b> An example holds at most {@code maxTokens} ids. A model of context T trained on next-token
 * targets reads T inputs and predicts T targets, so pass T + 1. A longer record is cut: the prompt (everything
 * before the last assistant message) keeps its end and the last assistant message its start, as
 * {@link PromptBudget} shares the room; {@link SftExample#truncation()} says what was cut and
 * {@link Truncation#summary} counts it.
 */
public final class SftEncoder {
    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final int maxTokens;
    private final LossOn lossOn;

    public SftEncoder(ChatTemplate template, Tokenizer tokenizer, int maxTokens, LossOn lossOn) {
        this.template = Objects.requireNonNull(template, "template");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.lossOn = Objects.requireNonNull(lossOn, "lossOn");
        PromptBudget.checkLimit(maxTokens);
        this.maxTokens = maxTokens;
    }

    /**
     * The example of {@code record}.
     *
     * @throws IllegalArgumentException naming the record's file and line when the template cannot render it (a
     *                                  role it does not have, a special token the tokenizer lacks)
     */
    public SftExample encode(SftRecord record) {
        try {
            return encodeOrExplain(record);
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException(record.location() + ": " + e.reason());
        }
    }

    /**
     * The examples of {@code records}, in order; a record the template cannot render goes to {@code bad}.
     *
     * @throws BadRecordException for such a record, unless bad records are skipped
     */
    public List<SftExample> encodeAll(List<SftRecord> records, BadRecords bad) throws BadRecordException {
        return bad.convertEach(records, SftRecord::location, this::encodeOrExplain);
    }

    private SftExample encodeOrExplain(SftRecord record) {
        ChatEncoding rendering = InvalidRecordException.check(() -> template.render(record.messages(), tokenizer));
        boolean[] assistant = rendering.assistantMask();
        int end = assistant.length;
        while (end > 0 && !assistant[end - 1]) {
            end--;
        }
        int answerStart = end;
        while (answerStart > 0 && assistant[answerStart - 1]) {
            answerStart--;
        }
        int promptKept = PromptBudget.promptTokensKept(answerStart, end - answerStart, maxTokens);
        int from = answerStart - promptKept;
        int to = Math.min(end, answerStart + (maxTokens - promptKept));
        int[] ids = Arrays.copyOfRange(rendering.ids(), from, to);
        boolean[] labels = new boolean[ids.length];
        if (lossOn == LossOn.ALL) {
            Arrays.fill(labels, true);
        } else {
            System.arraycopy(assistant, from, labels, 0, labels.length);
        }
        return new SftExample(new MaskedTokens(ids, labels), new Truncation(from, end - to), record.location());
    }
}
