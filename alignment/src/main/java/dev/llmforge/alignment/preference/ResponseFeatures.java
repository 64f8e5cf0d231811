package dev.llmforge.alignment.preference;

import dev.llmforge.alignment.answers.AnswerChecker;
import dev.llmforge.alignment.answers.ResponseForm;
import dev.llmforge.alignment.eval.EvalRecord;
import java.util.Comparator;

/**
 * What the labeler sees in one response, each reason for a preference as its own feature, in order of
 * importance.
 *
 * @param correct     it answers and its answer matches the record's ({@link AnswerChecker}); a continuation of the
 *                    document that happens to contain the answer has not answered
 * @param answers     it answers rather than continues the document ({@link ResponseForm})
 * @param endsCleanly generation stopped at the end of the turn, not at the token limit
 * @param length      its length in characters (code points, surrounding white space not counted)
 */
public record ResponseFeatures(boolean correct, boolean answers, boolean endsCleanly, int length) {
    /** Better responses first: correct, then answering, then ending cleanly, then shorter. */
    public static final Comparator<ResponseFeatures> BEST_FIRST = Comparator
            .comparing(ResponseFeatures::correct).reversed()
            .thenComparing(Comparator.comparing(ResponseFeatures::answers).reversed())
            .thenComparing(Comparator.comparing(ResponseFeatures::endsCleanly).reversed())
            .thenComparingInt(ResponseFeatures::length);

    /** The features of {@code sample} as an answer to {@code record}. */
    public static ResponseFeatures of(EvalRecord record, Sample sample) {
        String text = sample.text();
        String stripped = text.strip();
        boolean answers = ResponseForm.answers(record.question(), text);
        boolean correct = answers && AnswerChecker.isCorrect(record.question(), record.answer(), text);
        return new ResponseFeatures(correct, answers, sample.endedAtEndOfTurn(), stripped.codePointCount(0, stripped.length()));
    }

    /**
     * One number that orders responses exactly as {@link #BEST_FIRST} does (higher is better): 4 for a correct
     * answer, 2 for answering, 1 for ending cleanly, plus 1 / (1 + length / 100), which lies in (0, 1] and so
     * only separates responses equal in the other features. For mean-score curves and win rates.
     */
    public double score() {
        return (correct ? 4 : 0) + (answers ? 2 : 0) + (endsCleanly ? 1 : 0) + 1.0 / (1.0 + length / 100.0);
    }

    /**
     * Why {@code this} and {@code other} differ: {@link PairKind#FORM} when they differ in answering or in ending
     * cleanly, else {@link PairKind#CORRECTNESS} when only the final answer's correctness (and perhaps the length
     * that comes with it) differs, else {@link PairKind#LENGTH} (length alone).
     */
    public PairKind differenceFrom(ResponseFeatures other) {
        if (answers != other.answers || endsCleanly != other.endsCleanly) {
            return PairKind.FORM;
        }
        return correct != other.correct ? PairKind.CORRECTNESS : PairKind.LENGTH;
    }
}
