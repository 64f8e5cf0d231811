package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatMessage;
import dev.llmforge.alignment.data.RecordLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One model's figures on the held-out questions, greedy and zero-shot: accuracy on facts of the unseen held-out
 * countries, on facts of the held-out countries reinforcement learning trained on, and on age problems; the share of
 * responses that answer rather than continue (unseen facts and ages together); and for the models trained from SFT
 * the labeler's win rate against SFT and the KL to SFT.
 *
 * @param stage     the model's stage
 * @param facts     fact questions about the unseen countries
 * @param rlFacts   fact questions about the reinforcement-learning countries (not in the win rate, KL or answer share)
 * @param ages      age problems
 * @param all       both together (the answer share)
 * @param winRate   against SFT; null for the base and SFT models
 * @param kl        to SFT; null for the base and SFT models
 * @param results   every answer, unseen countries' facts then ages (what win rates compare)
 */
record ModelFigures(String stage, EvalSummary facts, EvalSummary rlFacts, EvalSummary ages, EvalSummary all, WinRate winRate, KlToSft kl,
                    List<QuestionResult> results) {
    /** Asks {@code model} every question; against {@code sft} (its figures and model) when the stage was trained from it. */
    static ModelFigures measure(StoryRun run, Questions questions, String stage, Gpt model, Tokenizer tokenizer, ModelFigures sftFigures,
                                Gpt sft) {
        List<QuestionResult> facts = questions.greedy(run, model, tokenizer, stage, questions.facts());
        List<QuestionResult> rlFacts = questions.greedy(run, model, tokenizer, stage, questions.rlFacts());
        List<QuestionResult> ages = questions.greedy(run, model, tokenizer, stage, questions.ages());
        List<QuestionResult> all = new ArrayList<>(facts);
        all.addAll(ages);
        WinRate winRate = null;
        KlToSft kl = null;
        if (sftFigures != null) {
            winRate = WinRate.of(all, sftFigures.results(), run.plan().maxNewTokens());
            kl = KlToSft.measure(run, model, sft, tokenizer, prompts(all));
        }
        return new ModelFigures(stage, EvalSummary.of(facts), EvalSummary.of(rlFacts), EvalSummary.of(ages), EvalSummary.of(all), winRate, kl, all);
    }

    private static List<RolloutPrompt> prompts(List<QuestionResult> results) {
        List<RolloutPrompt> prompts = new ArrayList<>();
        for (QuestionResult r : results) {
            EvalRecord e = r.record();
            prompts.add(new RolloutPrompt(List.of(ChatMessage.user(e.question())), e.question(), Optional.of(e.answer()),
                    new RecordLocation("held-out questions", r.index() + 1)));
        }
        return prompts;
    }
}
