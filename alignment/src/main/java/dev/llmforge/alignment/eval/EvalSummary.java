package dev.llmforge.alignment.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy and the share of answers (rather than continuations) over a set of {@link QuestionResult}s, each with
 * its 95% {@link WilsonInterval}, overall and by record kind (in order of first appearance; records without a kind
 * are counted overall only).
 *
 * @param questions how many questions
 * @param correct   how many were answered correctly
 * @param answered  how many responses answer rather than continue
 * @param byKind    the same counts per kind
 */
public record EvalSummary(int questions, int correct, int answered, Map<String, EvalSummary> byKind) {
    public static EvalSummary of(List<QuestionResult> results) {
        Map<String, List<QuestionResult>> kinds = new LinkedHashMap<>();
        for (QuestionResult r : results) {
            if (r.record().kind() != null) {
                kinds.computeIfAbsent(r.record().kind(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, EvalSummary> byKind = new LinkedHashMap<>();
        kinds.forEach((kind, rs) -> byKind.put(kind, counts(rs)));
        EvalSummary all = counts(results);
        return new EvalSummary(all.questions, all.correct, all.answered, byKind);
    }

    private static EvalSummary counts(List<QuestionResult> results) {
        int correct = (int) results.stream().filter(QuestionResult::correct).count();
        int answered = (int) results.stream().filter(QuestionResult::answers).count();
        return new EvalSummary(results.size(), correct, answered, Map.of());
    }

    public double accuracy() {
        return (double) correct / questions;
    }

    public WilsonInterval accuracyInterval() {
        return WilsonInterval.of(correct, questions);
    }

    public double answerShare() {
        return (double) answered / questions;
    }

    public WilsonInterval answerShareInterval() {
        return WilsonInterval.of(answered, questions);
    }

    /** {@code 31/160 = 19.4% (95% interval 14.0–26.2%)}. */
    public static String proportion(int successes, int trials) {
        WilsonInterval ci = WilsonInterval.of(successes, trials);
        return String.format(Locale.ROOT, "%d/%d = %.1f%% (95%% interval %.1f-%.1f%%)", successes, trials, 100.0 * successes / trials,
                100 * ci.low(), 100 * ci.high());
    }

    /** The summary as lines: accuracy, answers, then accuracy per kind. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("accuracy: " + proportion(correct, questions));
        lines.add("answers rather than continues: " + proportion(answered, questions));
        byKind.forEach((kind, s) -> lines.add("  " + kind + ": accuracy " + proportion(s.correct, s.questions) + ", answers "
                + proportion(s.answered, s.questions)));
        return lines;
    }
}
