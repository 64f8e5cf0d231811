package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Prompt engineering without training, on the held-out age problems: zero-shot, with an instruction, few-shot
 * with answers only and few-shot chain of thought, each greedy; then chain of thought with K sampled paths voted on
 * (self-consistency, Wang et al. 2022: temperature {@value StoryPlan#VOTE_TEMPERATURE}, top-k
 * {@value StoryPlan#VOTE_TOP_K}) for each K of the plan.
 *
 * <p>As Wang et al. sample 40 paths and subsample them, the paths are drawn once: the largest K of them per problem,
 * one problem per generation call (its prompt prefilled once for all its paths), and the row of each K votes over
 * the first K of them. The K rows are thus nested: K = 5's paths are the first 5 of K = 10's. One problem per call
 * makes problem q's path j stream j of seed + q, so {@code llmforge eval --samples K --batch-size K} draws the
 * same first K paths ({@link Row#command}).
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

        /** The {@code llmforge eval} command that reproduces this row: a sampled row with one problem per call, as the study drew it. */
        String command(StoryRun run) {
            int batch = samples == 0 ? run.plan().generationBatch() : samples;
            return EvalCommandLine.of(run, stage, run.layout().questionFile(Questions.AGES), style, sampling(run, samples), batch);
        }
    }

    /** The prompt styles asked greedily, in the report's order. */
    static final List<PromptStyle> GREEDY_STYLES = List.of(PromptStyle.ZERO_SHOT, PromptStyle.INSTRUCTION, PromptStyle.FEW_SHOT, PromptStyle.COT);

    private PromptStudy() {
    }

    static List<Row> run(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer) {
        List<Row> rows = new ArrayList<>();
        for (PromptStyle style : GREEDY_STYLES) {
            rows.add(noted(run, new Row(stage, style, 0, EvalSummary.of(questions.ask(run, model, tokenizer, stage, style, sampling(run, 0),
                    questions.ages())))));
        }
        int paths = Collections.max(run.plan().selfConsistencyK());
        List<QuestionResult> sampled = questions.ask(run, model, tokenizer, stage, PromptStyle.COT, sampling(run, paths), questions.ages(), paths);
        for (int k : run.plan().selfConsistencyK()) {
            rows.add(noted(run, new Row(stage, PromptStyle.COT, k, EvalSummary.of(sampled.stream().map(r -> r.firstPaths(k)).toList()))));
        }
        return rows;
    }

    /** Greedy for 0 samples, else {@code samples} paths at the vote's temperature and top-k, seeded from the run's seed. */
    static Evaluator.Sampling sampling(StoryRun run, int samples) {
        return samples == 0 ? Evaluator.Sampling.greedy(run.plan().maxNewTokens())
                : new Evaluator.Sampling(samples, StoryPlan.VOTE_TEMPERATURE, StoryPlan.VOTE_TOP_K, run.plan().maxNewTokens(), run.seed());
    }

    private static Row noted(StoryRun run, Row row) {
        run.note("prompt study, " + row.stage() + ", " + row.method() + ": " + row.summary().describe().get(0));
        return row;
    }
}
