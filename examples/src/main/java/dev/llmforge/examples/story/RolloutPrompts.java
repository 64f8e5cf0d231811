package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PromptReader;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.examples.story.world.StoryWorld;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;

/**
 * What PPO and GRPO share in the story: the training prompts, a few held-out age problems whose greedy answers are
 * scored at each evaluation, and the sampler (temperature 1, the plan's response length, the Q&A template).
 */
record RolloutPrompts(List<RolloutPrompt> train, List<RolloutPrompt> eval) {
    /** Held-out problems scored at each evaluation of a reinforcement-learning run. */
    static final int EVAL_PROMPTS = 16;

    static RolloutPrompts of(StoryRun run) throws IOException {
        List<RolloutPrompt> train = PromptReader.read(run.layout().trainPrompts(), BadRecords.failFast());
        List<RolloutPrompt> ages = PromptReader.read(run.layout().worldFile(StoryWorld.EVAL_AGES), BadRecords.failFast());
        return new RolloutPrompts(train, ages.subList(0, Math.min(EVAL_PROMPTS, ages.size())));
    }

    static RolloutSampler sampler(StoryRun run, Gpt policy, Tokenizer tokenizer) {
        return new RolloutSampler(policy, tokenizer, run.template(), 1.0, run.plan().maxNewTokens());
    }
}
