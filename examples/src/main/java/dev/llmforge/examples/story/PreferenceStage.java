package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PromptReader;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.preference.LabeledPair;
import dev.llmforge.alignment.preference.PairKind;
import dev.llmforge.alignment.preference.ProgrammaticLabeler;
import dev.llmforge.alignment.preference.RankedResponses;
import dev.llmforge.alignment.preference.Sample;
import dev.llmforge.alignment.rl.Rollout;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.model.Gpt;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The human rankers' part, played by the {@link ProgrammaticLabeler}: samples several answers of the SFT model
 * (temperature 1) to each reinforcement-learning prompt (the world's {@code rl-prompts.jsonl}), ranks them, and
 * writes the preference pairs ({@code pairs.jsonl}, TRL's format with the pair's kind) and the ranked lists
 * ({@code ranked.jsonl}) into {@code preferences/}. Left out of the pairs: those with an empty answer, as the
 * preference readers refuse them, and those that differ in length alone, from which a reward model learns "shorter"
 * and PPO then answers "." (alignment/README.md, first and second rounds; {@code llmforge label --length-pairs 0}).
 */
final class PreferenceStage implements Stage {
    static final String NAME = "preferences";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean done(StoryRun run) {
        return Files.isRegularFile(run.layout().pairs()) && Files.isRegularFile(run.layout().preferences().resolve(StoryLayout.RANKED));
    }

    @Override
    public void run(StoryRun run) throws Exception {
        StoryPlan plan = run.plan();
        List<EvalRecord> records = EvalRecord.read(run.layout().rlPrompts());
        List<RolloutPrompt> prompts = PromptReader.read(run.layout().rlPrompts(), BadRecords.failFast());
        int n = Math.min(plan.rankedPrompts(), records.size());
        int k = plan.rankedSamples();
        int perCall = Math.max(1, plan.generationBatch() / k);
        List<RankedResponses> ranked = new ArrayList<>();
        List<LabeledPair> pairs = new ArrayList<>();
        int empty = 0;
        int lengthOnly = 0;
        try (Gpt sft = run.load(SftStage.NAME);
             RolloutSampler sampler = new RolloutSampler(sft, run.tokenizer(SftStage.NAME), run.template(), 1.0, plan.maxNewTokens())) {
            for (int first = 0; first < n; first += perCall) {
                int end = Math.min(n, first + perCall);
                Rollout rollout = sampler.sample(prompts.subList(first, end), k, run.seed() + first);
                for (int p = first; p < end; p++) {
                    List<Sample> samples = new ArrayList<>();
                    for (int row = (p - first) * k; row < (p - first + 1) * k; row++) {
                        samples.add(new Sample(rollout.response(row), rollout.endedAtEndOfTurn(row)));
                    }
                    RankedResponses r = ProgrammaticLabeler.rank(records.get(p), samples);
                    ranked.add(r);
                    for (LabeledPair pair : r.pairs()) {
                        if (pair.chosen().isBlank() || pair.rejected().isBlank()) {
                            empty++; // a preference file holds no empty answer (the readers refuse one)
                        } else if (pair.kind() == PairKind.LENGTH) {
                            lengthOnly++;
                        } else {
                            pairs.add(pair);
                        }
                    }
                }
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalStateException("the labeler found no preference but length among " + k + " answers to each of " + n
                    + " prompts (" + lengthOnly + " length-only pairs left out): nothing to train a reward model on");
        }
        Files.createDirectories(run.layout().preferences());
        RankedResponses.write(run.layout().preferences().resolve(StoryLayout.RANKED), ranked);
        LabeledPair.write(run.layout().pairs(), pairs);
        run.note("preferences: " + pairs.size() + " pairs from " + n + " prompts, " + k + " answers each; " + lengthOnly
                + " pairs differing in length alone left out" + (empty > 0 ? "; " + empty + " pairs with an empty answer left out" : ""));
    }
}
