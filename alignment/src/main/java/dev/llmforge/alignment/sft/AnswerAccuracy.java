package dev.llmforge.alignment.sft;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.ResponseForm;
import dev.llmforge.alignment.data.SftRecord;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.generate.StopReason;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact-match accuracy of greedy answers (and how many answer rather than continue the document, and how many end at
 * the end of turn): for held-out records that carry a final answer (GSM8K's {@code #### N},
 * a {@code final_answer} field), the model answers the conversation without its last assistant message, greedily,
 * until the end of turn or {@code maxNewTokens}; {@link AnswerChecker} compares the answer with the final answer
 * (the number after "The answer is", else the last number; facts by whole words in the first sentence). Records
 * are answered in batches of {@value #BATCH} (left-padded, each row as if alone).
 */
public final class AnswerAccuracy {
    static final int BATCH = 8;

    private final String source;
    private final List<SftRecord> records;
    private final ChatGeneration chat;
    private final int maxNewTokens;

    /**
     * The score of one measurement: answers right, answers in the form of an answer rather than a continuation of the
     * document ({@link ResponseForm}), answers that ended at the end of turn (not at the token limit), of {@code total}.
     */
    public record Result(int correct, int answering, int endedAtEndOfTurn, int total) {
        public double fraction() {
            return share(correct);
        }

        public double answeringFraction() {
            return share(answering);
        }

        public double endedAtEndOfTurnFraction() {
            return share(endedAtEndOfTurn);
        }

        private double share(int n) {
            return total == 0 ? Double.NaN : (double) n / total;
        }
    }

    /**
     * @param source       the evaluation source the metric is named after ({@code val} → {@code val_exact_match})
     * @param records      records with a final answer (others are left out)
     * @param limit        at most this many records are answered (the first ones)
     * @param maxNewTokens the longest answer
     * @throws IllegalArgumentException if no record has a final answer
     */
    public AnswerAccuracy(String source, List<SftRecord> records, int limit, ChatGeneration chat, int maxNewTokens) {
        this.source = source;
        this.records = records.stream().filter(r -> r.finalAnswer().isPresent()).limit(limit).toList();
        if (this.records.isEmpty()) {
            throw new IllegalArgumentException("exact-match accuracy needs held-out records with a final answer, found none among "
                    + records.size());
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("the longest answer must be at least one token, got " + maxNewTokens);
        }
        this.chat = chat;
        this.maxNewTokens = maxNewTokens;
    }

    /** Whether any of {@code records} carries a final answer. */
    public static boolean applies(List<SftRecord> records) {
        return records.stream().anyMatch(r -> r.finalAnswer().isPresent());
    }

    public String source() {
        return source;
    }

    /** Answers every record greedily with {@code model} and scores the answers. */
    public Result measure(Gpt model) {
        int room = model.config().blockSize() - maxNewTokens;
        if (room <= 0) {
            throw new IllegalArgumentException("answers of up to " + maxNewTokens + " tokens leave no room for the question in a context of "
                    + model.config().blockSize());
        }
        GenerationConfig config = chat.stoppingAtEndOfTurn(GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(0)).build();
        int correct = 0;
        int answering = 0;
        int ended = 0;
        try (Generator generator = new Generator(model, chat.tokenizer()::decode)) {
            for (int from = 0; from < records.size(); from += BATCH) {
                List<SftRecord> batch = records.subList(from, Math.min(records.size(), from + BATCH));
                List<int[]> prompts = new ArrayList<>();
                for (SftRecord r : batch) {
                    prompts.add(chat.prompt(r.messages().subList(0, r.messages().size() - 1), room));
                }
                List<GenerationResult> answers = generator.generate(prompts, config, null);
                for (int i = 0; i < batch.size(); i++) {
                    SftRecord r = batch.get(i);
                    GenerationResult answer = answers.get(i);
                    correct += AnswerChecker.isCorrect(question(r), r.finalAnswer().get(), answer.text()) ? 1 : 0;
                    answering += ResponseForm.answers(question(r), answer.text()) ? 1 : 0;
                    ended += answer.reason() != StopReason.MAX_TOKENS ? 1 : 0;
                }
            }
        }
        return new Result(correct, answering, ended, records.size());
    }

    /** The last user message before the answer (what an echo of the question is compared with). */
    private static String question(SftRecord r) {
        List<ChatMessage> m = r.messages();
        for (int i = m.size() - 2; i >= 0; i--) {
            if (ChatMessage.USER.equals(m.get(i).role())) {
                return m.get(i).content();
            }
        }
        return "";
    }
}
