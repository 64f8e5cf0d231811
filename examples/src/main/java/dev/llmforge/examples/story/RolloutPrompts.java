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
 * What PPO and GRPO share in the story: the prompts about the reinforcement-learning half of the held-out countries,
 * a few of their held-out questions whose greedy answers are scored at each evaluation (never the unseen countries',
 * which the report asks), and the sampler (temperature 1, the plan's response length, the Q&A template).
 */
record RolloutPrompts(List<RolloutPrompt> train, List<RolloutPrompt> eval) {
    /** Held-out questions scored at each evaluation of a reinforcement-learning run. */
    static final int EVAL_PROMPTS = 16;

    static RolloutPrompts of(StoryRun run) throws IOException {
        List<RolloutPrompt> train = PromptReader.read(run.layout().rlPrompts(), BadRecords.failFast());
        List<RolloutPrompt> facts = PromptReader.read(run.layout().worldFile(StoryWorld.EVAL_FACTS_RL), BadRecords.failFast());
        return new RolloutPrompts(train, facts.subList(0, Math.min(EVAL_PROMPTS, facts.size())));
    }

    static RolloutSampler sampler(StoryRun run, Gpt policy, Tokenizer tokenizer) {
        return new RolloutSampler(policy, tokenizer, run.template(), 1.0, run.plan().maxNewTokens());
    }
}
