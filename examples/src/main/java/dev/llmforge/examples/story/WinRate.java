package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.alignment.preference.Sample;
import java.util.List;

/**
 * The labeler's verdicts on one model's greedy answers against the SFT model's, question by question
 * ({@link dev.llmforge.alignment.preference.WinRate}). A response shorter than the length limit counts as ended at
 * the end of its turn.
 */
record WinRate(int wins, int ties, int losses) {
    static WinRate of(List<QuestionResult> model, List<QuestionResult> sft, int maxNewTokens) {
        var verdicts = dev.llmforge.alignment.preference.WinRate.of(model.stream().map(QuestionResult::record).toList(),
                samples(model, maxNewTokens), samples(sft, maxNewTokens));
        return new WinRate(verdicts.wins(), verdicts.ties(), verdicts.losses());
    }

    private static List<Sample> samples(List<QuestionResult> results, int maxNewTokens) {
        return results.stream().map(r -> r.paths().get(0)).map(p -> new Sample(p.text(), p.tokens() < maxNewTokens)).toList();
    }

    int questions() {
        return wins + ties + losses;
    }

    /** Wins plus half the ties, over all questions. */
    double rate() {
        return (wins + 0.5 * ties) / questions();
    }
}
