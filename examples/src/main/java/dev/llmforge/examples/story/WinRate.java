package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.alignment.preference.ProgrammaticLabeler;
import dev.llmforge.alignment.preference.Sample;
import java.util.List;

/**
 * The labeler's verdicts on one model's greedy answers against the SFT model's, question by question. A response
 * shorter than the length limit counts as ended at the end of its turn.
 */
record WinRate(int wins, int ties, int losses) {
    static WinRate of(List<QuestionResult> model, List<QuestionResult> sft, int maxNewTokens) {
        int wins = 0;
        int ties = 0;
        int losses = 0;
        for (int i = 0; i < model.size(); i++) {
            QuestionResult.Path a = model.get(i).paths().get(0);
            QuestionResult.Path b = sft.get(i).paths().get(0);
            int c = ProgrammaticLabeler.compare(model.get(i).record(), new Sample(a.text(), a.tokens() < maxNewTokens),
                    new Sample(b.text(), b.tokens() < maxNewTokens));
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

    int questions() {
        return wins + ties + losses;
    }

    /** Wins plus half the ties, over all questions. */
    double rate() {
        return (wins + 0.5 * ties) / questions();
    }
}
