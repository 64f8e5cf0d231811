package dev.llmforge.alignment.answers;

import java.util.Optional;

/**
 * Exact-match scoring of one response against a record's expected answer, in one of two modes chosen by the
 * expected answer:
 *
 * <ul>
 *   <li><b>number</b> (the expected answer is one number, e.g. "67"): the response's {@link FinalNumber} — the
 *       number after "The answer is", else its last number — must equal it (canonical forms compared);
 *   <li><b>fact</b> (anything else, e.g. "Beijing"): the normalised answer ({@link AnswerText}) must occur as whole
 *       words in the response's {@link Sentences#first first sentence} more often than in the question. For most
 *       questions that is "at least once"; the rule matters when the answer is in the question — "What's the
 *       capital of Djibouti?" is not answered by "Djibouti's capital is Paris.", but is by "Djibouti's capital is
 *       Djibouti." (A bare "Djibouti." is then scored wrong: the rule cannot tell it from an echo.)
 * </ul>
 *
 * <p>The extracted answer ({@link Checked#extracted}) is what self-consistency votes over: the canonical number,
 * or the normalised first sentence for facts.
 */
public final class AnswerChecker {
    private AnswerChecker() {
    }

    /**
     * The verdict on one response.
     *
     * @param extracted the canonical final number or the normalised first sentence; empty when there is none
     * @param correct   whether it matches the expected answer
     */
    public record Checked(Optional<String> extracted, boolean correct) {
    }

    /** True when the expected answer is a number (number mode); otherwise it is a fact. */
    public static boolean isNumeric(String expected) {
        return FinalNumber.isNumber(expected);
    }

    /** Scores {@code response} to {@code question} against {@code expected}. */
    public static Checked check(String question, String expected, String response) {
        if (isNumeric(expected)) {
            Optional<String> number = FinalNumber.extract(response);
            return new Checked(number, number.isPresent() && number.get().equals(FinalNumber.canonical(expected)));
        }
        String sentence = Sentences.first(response);
        Optional<String> extracted = Optional.of(AnswerText.normalize(sentence)).filter(s -> !s.isEmpty());
        boolean correct = AnswerText.occurrences(expected, sentence) > AnswerText.occurrences(expected, question);
        return new Checked(extracted, correct);
    }

    /** Whether {@code response} answers {@code question} correctly. */
    public static boolean isCorrect(String question, String expected, String response) {
        return check(question, expected, response).correct();
    }
}
