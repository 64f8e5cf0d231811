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
import java.nio.file.Files;
import java.util.List;

/**
 * The held-out questions every model is asked (the first {@link StoryPlan#evalQuestions} of the world's fact files,
 * the unseen countries' and the reinforcement-learning countries', and of its age problems), the capital cloze of
 * every country for the base model's recall, the seed's prompts, the few-shot exemplars, and how a model is asked:
 * in the document layout for the base model, in the Q&A template for the fine-tuned ones. The questions asked are
 * written to {@code questions/} ({@link #FACTS}, {@link #RL_FACTS}, {@link #AGES}, {@link #SEED_PROMPTS}), so that
 * each figure of the report has an {@code llmforge eval} command that reproduces it.
 */
record Questions(List<EvalRecord> facts, List<EvalRecord> rlFacts, List<EvalRecord> ages, List<EvalRecord> recall, FewShotExemplars exemplars) {
    /** Enough for a capital and the end of its sentence. */
    static final int RECALL_TOKENS = 32;
    /** Facts of the unseen countries: no training step after pretraining asked about them. */
    static final String FACTS = "facts.jsonl";
    /** Facts of the countries reinforcement learning trained on (their held-out phrasing). */
    static final String RL_FACTS = "facts-rl.jsonl";
    static final String AGES = "ages.jsonl";
    static final String SEED_PROMPTS = "seed-prompts.jsonl";

    static Questions of(StoryRun run) throws IOException {
        int n = run.plan().evalQuestions();
        List<EvalRecord> facts = EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_FACTS_UNSEEN));
        List<EvalRecord> rlFacts = EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_FACTS_RL));
        List<EvalRecord> ages = EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_AGES));
        Questions q = new Questions(facts.subList(0, Math.min(n, facts.size())), rlFacts.subList(0, Math.min(n, rlFacts.size())),
                ages.subList(0, Math.min(n, ages.size())),
                EvalRecord.read(run.layout().worldFile(StoryWorld.EVAL_RECALL)),
                new FewShotExemplars(EvalRecord.read(run.layout().worldFile(StoryWorld.FEW_SHOT)), run.plan().shots()));
        Files.createDirectories(run.layout().questionFile(FACTS).getParent());
        EvalRecord.write(run.layout().questionFile(FACTS), q.facts());
        EvalRecord.write(run.layout().questionFile(RL_FACTS), q.rlFacts());
        EvalRecord.write(run.layout().questionFile(AGES), q.ages());
        EvalRecord.write(run.layout().questionFile(SEED_PROMPTS), SideBySide.SEED_PROMPTS);
        return q;
    }

    /** The base model reads plain documents; every later stage was fine-tuned in the Q&A template. */
    static ChatTemplate templateOf(String stage, StoryRun run) {
        return BaseStage.NAME.equals(stage) ? null : run.template();
    }

    /** How {@link #greedy} asks {@code stage}'s model: the base model continues the question, the others answer it zero-shot. */
    static PromptStyle greedyStyleOf(String stage) {
        return BaseStage.NAME.equals(stage) ? PromptStyle.COMPLETION : PromptStyle.ZERO_SHOT;
    }

    /** {@code records} put to {@code model} in {@code style}, answered as {@code sampling} says. */
    List<QuestionResult> ask(StoryRun run, Gpt model, Tokenizer tokenizer, String stage, PromptStyle style, Evaluator.Sampling sampling,
                             List<EvalRecord> records) {
        return ask(run, model, tokenizer, stage, style, sampling, records, run.plan().generationBatch());
    }

    /** The same, generating {@code batchSize} rows together. */
    List<QuestionResult> ask(StoryRun run, Gpt model, Tokenizer tokenizer, String stage, PromptStyle style, Evaluator.Sampling sampling,
                             List<EvalRecord> records, int batchSize) {
        EvalPrompt prompt = new EvalPrompt(style, templateOf(stage, run), style.usesExemplars() ? exemplars : null);
        return new Evaluator(model, tokenizer, prompt, sampling, batchSize).run(records, done -> { });
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
        return ask(run, model, tokenizer, stage, greedyStyleOf(stage), Evaluator.Sampling.greedy(run.plan().maxNewTokens()), records);
    }
}
