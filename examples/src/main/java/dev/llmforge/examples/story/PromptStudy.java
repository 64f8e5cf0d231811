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

        /** The {@code llmforge eval} command that reproduces this row. */
        String command(StoryRun run) {
            return EvalCommandLine.of(run, stage, run.layout().questionFile(Questions.AGES), style, sampling(run, samples));
        }
    }

    /** The prompt styles asked greedily, in the report's order. */
    static final List<PromptStyle> GREEDY_STYLES = List.of(PromptStyle.ZERO_SHOT, PromptStyle.INSTRUCTION, PromptStyle.FEW_SHOT, PromptStyle.COT);

    private PromptStudy() {
    }

    static List<Row> run(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer) {
        List<Row> rows = new ArrayList<>();
        for (PromptStyle style : GREEDY_STYLES) {
            rows.add(measure(run, questions, stage, model, tokenizer, style, 0));
        }
        for (int k : run.plan().selfConsistencyK()) {
            rows.add(measure(run, questions, stage, model, tokenizer, PromptStyle.COT, k));
        }
        return rows;
    }

    /** Greedy for 0 samples, else {@code samples} paths at the vote's temperature and top-k, seeded from the run's seed. */
    static Evaluator.Sampling sampling(StoryRun run, int samples) {
        return samples == 0 ? Evaluator.Sampling.greedy(run.plan().maxNewTokens())
                : new Evaluator.Sampling(samples, StoryPlan.VOTE_TEMPERATURE, StoryPlan.VOTE_TOP_K, run.plan().maxNewTokens(), run.seed());
    }

    private static Row measure(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer, PromptStyle style, int samples) {
        Row row = new Row(stage, style, samples, EvalSummary.of(questions.ask(run, model, tokenizer, stage, style, sampling(run, samples),
                questions.ages())));
        run.note("prompt study, " + stage + ", " + row.method() + ": " + row.summary().describe().get(0));
        return row;
    }
}
