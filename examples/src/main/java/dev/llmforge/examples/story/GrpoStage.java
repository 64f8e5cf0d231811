package dev.llmforge.examples.story;

import dev.llmforge.alignment.rl.GrpoConfig;
import dev.llmforge.alignment.rl.GrpoObjective;
import dev.llmforge.alignment.rl.LossAveraging;
import dev.llmforge.alignment.rl.Reward;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;

/**
 * GRPO from the SFT model with the exact-answer reward a program checks (β 0.04, clip 0.2, the paper's per-sequence
 * averaging), into {@code grpo/}.
 */
final class GrpoStage extends TrainingStage {
    static final String NAME = "grpo";
    static final double BETA = 0.04;
    static final double CLIP = 0.2;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.grpo();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        StoryPlan plan = run.plan();
        TrainingConfig config = config(plan);
        Tokenizer tokenizer = run.tokenizer(SftStage.NAME);
        RolloutPrompts prompts = RolloutPrompts.of(run);
        GrpoConfig settings = new GrpoConfig(plan.rolloutPrompts(), plan.groupSize(), BETA, CLIP, 1, 1, LossAveraging.named("sequence"),
                GrpoConfig.defaults(1).stdEpsilon());
        Gpt policy = run.load(SftStage.NAME);
        Gpt reference = run.load(SftStage.NAME);
        GrpoObjective objective = new GrpoObjective(policy, reference, RolloutPrompts.sampler(run, policy, tokenizer), prompts.train(), prompts.eval(),
                Reward.named("exact-answer"), settings, config.seed());
        Trainer.Builder b = Trainer.builder().model("policy", policy).frozenModel("reference", reference).objective(objective).owning(objective)
                .owning(policy).owning(reference).bestMetric("val_reward", Trainer.Goal.MAXIMIZE);
        run.train(NAME, b, config, tokenizer);
    }
}
