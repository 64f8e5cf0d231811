package dev.llmforge.examples.story;

import dev.llmforge.alignment.eval.EvalPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.Evaluator;
import dev.llmforge.alignment.eval.FewShotExemplars;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import java.io.IOException;
import java.util.List;

/**
 * The held-out questions every model is asked (the first {@link StoryPlan#evalQuestions} of the world's fact and
 * age files), the capital cloze of every country for the base model's recall, the few-shot exemplars, and how a model is asked: in the document layout for the base model, in
 * the Q&A template for the fine-tuned ones.
 */
record Questions(List<EvalRecord> facts, List<EvalRecord> ages, List<EvalRecord> recall, FewShotExemplars exemplars) {
    /** Enough for a capital and the end of its sentence. */
    static final int RECALL_TOKENS = 32;

    static Questions of(StoryRun run) throws IOException {
        int n = run.plan().evalQuestions();
        List<EvalRecord> facts = EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_FACTS));
        List<EvalRecord> ages = EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_AGES));
        return new Questions(facts.subList(0, Math.min(n, facts.size())), ages.subList(0, Math.min(n, ages.size())),
                EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_RECALL)), new FewShotExemplars(EvalRecord.read(run.layout().worldFile(StoryWorld.FEW_SHOT)), run.plan().shots()));
    }

    /** The base model reads plain documents; every later stage was fine-tuned in the Q&A template. */
    static ChatTemplate templateOf(String stage, StoryRun run) {
        return BaseStage.NAME.equals(stage) ? null : run.template();
    }

    /** {@code records} put to {@code model} in {@code style}, answered as {@code sampling} says. */
    List<QuestionResult> ask(StoryRun run, Gpt model, Tokenizer tokenizer, String stage, PromptStyle style, Evaluator.Sampling sampling,
                             List<EvalRecord> records) {
        EvalPrompt prompt = new EvalPrompt(style, templateOf(stage, run), style.usesExemplars() ? exemplars : null);
        return new Evaluator(model, tokenizer, prompt, sampling, run.plan().generationBatch()).run(records, done -> { });
    }

    /** The base model's recall: "The capital of X is" continued greedily, by kind (held-out, training countries). */
    EvalSummary recallOf(StoryRun run, Gpt base, Tokenizer tokenizer) {
        return EvalSummary.of(ask(run, base, tokenizer, BaseStage.NAME, PromptStyle.COMPLETION, Evaluator.Sampling.greedy(RECALL_TOKENS), recall));
    }

    /**
     * Greedy answers of {@code model} to {@code records}, each model asked the way it is used: the base model, a
     * document completer, given the question as written ({@link PromptStyle#COMPLETION}, the seed's "Explain the moon
     * landing to a 6 year old" typed into a completer); a fine-tuned model zero-shot in its template.
     */
    List<QuestionResult> greedy(StoryRun run, Gpt model, Tokenizer tokenizer, String stage, List<EvalRecord> records) {
        PromptStyle style = BaseStage.NAME.equals(stage) ? PromptStyle.COMPLETION : PromptStyle.ZERO_SHOT;
        return ask(run, model, tokenizer, stage, style, Evaluator.Sampling.greedy(run.plan().maxNewTokens()), records);
    }
}
