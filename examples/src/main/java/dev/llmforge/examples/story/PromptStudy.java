package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt engineering without training, on the held-out age problems: zero-shot, with an instruction, few-shot
 * with answers only and few-shot chain of thought, each greedy; then chain of thought with K sampled paths voted on
 * (self-consistency, Wang et al. 2022: temperature {@value StoryPlan#VOTE_TEMPERATURE}, top-k
 * {@value StoryPlan#VOTE_TOP_K}) for each K of the plan.
 */
final class PromptStudy {
    /**
     * One row of the study.
     *
     * @param stage   the model
     * @param style   the prompt style
     * @param samples 0 for greedy, else the number of sampled paths voted on
     * @param summary accuracy and answer share
     */
    record Row(String stage, PromptStyle style, int samples, EvalSummary summary) {
        String method() {
            return samples == 0 ? style.id() + " (greedy)" : style.id() + ", K = " + samples;
        }
    }

    private PromptStudy() {
    }

    static List<Row> run(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer) {
        List<Row> rows = new ArrayList<>();
        Evaluator.Sampling greedy = Evaluator.Sampling.greedy(run.plan().maxNewTokens());
        for (PromptStyle style : List.of(PromptStyle.ZERO_SHOT, PromptStyle.INSTRUCTION, PromptStyle.FEW_SHOT, PromptStyle.COT)) {
            rows.add(new Row(stage, style, 0, EvalSummary.of(questions.ask(run, model, tokenizer, stage, style, greedy, questions.ages()))));
            run.note("prompt study, " + stage + ", " + rows.get(rows.size() - 1).method() + ": " + rows.get(rows.size() - 1).summary().describe().get(0));
        }
        for (int k : run.plan().selfConsistencyK()) {
            Evaluator.Sampling voted = new Evaluator.Sampling(k, StoryPlan.VOTE_TEMPERATURE, StoryPlan.VOTE_TOP_K, run.plan().maxNewTokens(), run.seed());
            rows.add(new Row(stage, PromptStyle.COT, k, EvalSummary.of(questions.ask(run, model, tokenizer, stage, PromptStyle.COT, voted,
                    questions.ages()))));
            run.note("prompt study, " + stage + ", " + rows.get(rows.size() - 1).method() + ": " + rows.get(rows.size() - 1).summary().describe().get(0));
        }
        return rows;
    }
}
