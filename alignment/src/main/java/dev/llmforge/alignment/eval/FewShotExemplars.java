package dev.llmforge.alignment.eval;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.FinalNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The solved examples a few-shot prompt shows before its question, chosen from a pool (an eval file, e.g. the
 * world's {@code few-shot.jsonl}) in a fixed way: first the pool's records of the question's {@code kind} (when
 * both have one), then the others whose answer is of the same type (a number, or a fact), each in file order,
 * never the question itself. The same question always gets the same exemplars.
 *
 * <p>An exemplar is answered with its final answer ({@link #answerOnly}: "The answer is 67." for a number, the
 * record's {@code solution} for a fact, which in the world is one sentence, else the bare answer) or with its
 * worked solution ({@link #worked}: the {@code solution}, else the answer alone).
 */
public final class FewShotExemplars {
    private final List<EvalRecord> pool;
    private final int shots;

    /**
     * @param pool  the records to choose from
     * @param shots how many a prompt shows
     */
    public FewShotExemplars(List<EvalRecord> pool, int shots) {
        if (shots <= 0) {
            throw new IllegalArgumentException("a few-shot prompt needs at least one exemplar, found " + shots + " shots");
        }
        this.pool = List.copyOf(pool);
        this.shots = shots;
    }

    public int shots() {
        return shots;
    }

    /**
     * The exemplars for {@code question}.
     *
     * @throws IllegalArgumentException when the pool has fewer than {@link #shots} that fit
     */
    public List<EvalRecord> pick(EvalRecord question) {
        boolean numeric = AnswerChecker.isNumeric(question.answer());
        List<EvalRecord> picked = new ArrayList<>();
        for (boolean sameKindPass : new boolean[] {true, false}) {
            for (EvalRecord candidate : pool) {
                if (picked.size() == shots) {
                    return picked;
                }
                boolean sameKind = question.kind() != null && question.kind().equals(candidate.kind());
                if (sameKind == sameKindPass && AnswerChecker.isNumeric(candidate.answer()) == numeric
                        && !candidate.question().equals(question.question())) {
                    picked.add(candidate);
                }
            }
        }
        if (picked.size() < shots) {
            throw new IllegalArgumentException("a " + shots + "-shot prompt for \"" + question.question() + "\" needs " + shots
                    + " exemplars whose answer is " + (numeric ? "a number" : "not a number") + ", found " + picked.size()
                    + " among the " + pool.size() + " few-shot records");
        }
        return picked;
    }

    /** The exemplar's final answer as a response: "The answer is N." for a number, else its solution or answer. */
    public static String answerOnly(EvalRecord exemplar) {
        if (AnswerChecker.isNumeric(exemplar.answer())) {
            return "The answer is " + FinalNumber.canonical(exemplar.answer()) + ".";
        }
        return Objects.requireNonNullElse(exemplar.solution(), exemplar.answer());
    }

    /** The exemplar's worked solution as a response, else its {@link #answerOnly} response. */
    public static String worked(EvalRecord exemplar) {
        return exemplar.solution() != null ? exemplar.solution() : answerOnly(exemplar);
    }
}
