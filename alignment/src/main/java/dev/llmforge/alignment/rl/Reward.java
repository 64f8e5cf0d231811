package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.FinalNumber;
import dev.llmforge.alignment.answers.ResponseForm;
import dev.llmforge.alignment.data.RolloutPrompt;
import java.util.List;

/**
 * The reward of one sampled response, computed by a program (GRPO's checkable rewards). Implementations are
 * called on the training thread, once per response.
 *
 * <pre>{@code
 * Reward reward = Reward.named("exact-answer");
 * double r = reward.score(promptText, "She is 67. The answer is 67.", prompt); // 1.0 if prompt.answer() is 67
 * }</pre>
 */
@FunctionalInterface
public interface Reward {
    /** The names {@link #named} knows. */
    List<String> NAMES = List.of("exact-answer", "format");

    /**
     * The reward of {@code response} (the decoded completion, without the end-of-turn token) to {@code prompt}
     * (the rendered prompt text) for {@code record} (its expected answer, its question).
     */
    double score(String prompt, String response, RolloutPrompt record);

    /**
     * 1 when the response's answer matches the record's expected answer by the project's rule
     * ({@link AnswerChecker}: the final number for a numeric answer, else the fact in the first sentence), else 0.
     * A record without an expected answer is an error naming its file and line.
     */
    static Reward exactAnswer() {
        return (prompt, response, record) -> {
            String expected = record.answer().orElseThrow(() -> new IllegalArgumentException(record.location()
                    + ": the exact-answer reward needs an expected answer, the record has none (an eval file's \"answer\", "
                    + "GSM8K's #### line or a \"final_answer\" field)"));
            return AnswerChecker.isCorrect(record.question(), expected, response) ? 1 : 0;
        };
    }

    /**
     * 1 when the response has the form of an answer that states its result: it answers rather than continues
     * the document ({@link ResponseForm}) and says "The answer is N." ({@link FinalNumber#stated}); else 0.
     * Whether the answer is right does not matter.
     */
    static Reward format() {
        return (prompt, response, record) -> ResponseForm.answers(record.question(), response) && FinalNumber.stated(response).isPresent() ? 1 : 0;
    }

    /** The built-in reward called {@code name}: {@code exact-answer} or {@code format}. */
    static Reward named(String name) {
        return switch (name) {
            case "exact-answer" -> exactAnswer();
            case "format" -> format();
            default -> throw new IllegalArgumentException("unknown reward \"" + name + "\"; expected one of " + String.join(", ", NAMES));
        };
    }
}
