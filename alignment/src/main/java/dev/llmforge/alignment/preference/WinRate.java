package dev.llmforge.alignment.preference;

import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.io.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The labeler's verdicts on one model's answers against another's, question by question (the stand-in for the
 * human raters' win rate of InstructGPT's evaluations).
 *
 * @param wins   questions whose answer the labeler prefers
 * @param ties   questions where it prefers neither
 * @param losses questions where it prefers the other model's
 */
public record WinRate(int wins, int ties, int losses) {
    /** Compares {@code model.get(i)} with {@code other.get(i)} as answers to {@code records.get(i)}. */
    public static WinRate of(List<EvalRecord> records, List<Sample> model, List<Sample> other) {
        if (model.size() != records.size() || other.size() != records.size()) {
            throw new IllegalArgumentException("one answer of each model per question is needed, found " + records.size() + " questions, "
                    + model.size() + " and " + other.size() + " answers");
        }
        int wins = 0;
        int ties = 0;
        int losses = 0;
        for (int i = 0; i < records.size(); i++) {
            int c = ProgrammaticLabeler.compare(records.get(i), model.get(i), other.get(i));
            if (c > 0) {
                wins++;
            } else if (c < 0) {
                losses++;
            } else {
                ties++;
            }
        }
        return new WinRate(wins, ties, losses);
    }

    /**
     * The answers of a results file of {@code llmforge eval} (one path per question: {@code question}, {@code response},
     * {@code tokens}) to {@code records}, in order; a response shorter than {@code maxNewTokens} tokens counts as ended
     * at the end of its turn. A file of other questions is an error naming it.
     */
    public static List<Sample> answersOf(Path results, List<EvalRecord> records, int maxNewTokens) throws IOException {
        List<String> questions = new ArrayList<>();
        List<Sample> answers = JsonLines.read(results, line -> {
            questions.add(JsonLines.requiredText(line, "question"));
            return new Sample(JsonLines.requiredText(line, "response"), Integer.parseInt(JsonLines.requiredText(line, "tokens")) < maxNewTokens);
        });
        if (questions.size() != records.size()) {
            throw new IllegalArgumentException(results + ": expected the answers to the same " + records.size() + " questions, found "
                    + questions.size() + " answers");
        }
        for (int i = 0; i < records.size(); i++) {
            if (!questions.get(i).equals(records.get(i).question())) {
                throw new IllegalArgumentException(results + ": answer " + (i + 1) + " is to \"" + questions.get(i) + "\", expected one to \""
                        + records.get(i).question() + "\" (the same tasks file, in order)");
            }
        }
        return answers;
    }

    public int questions() {
        return wins + ties + losses;
    }

    /** Wins plus half the ties, over all questions. */
    public double rate() {
        return (wins + 0.5 * ties) / questions();
    }
}
