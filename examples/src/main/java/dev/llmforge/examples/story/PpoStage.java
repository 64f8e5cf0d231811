package dev.llmforge.examples.story;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.rl.PpoConfig;
import dev.llmforge.alignment.rl.PpoObjective;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;

/**
 * PPO from the SFT model against the normalised reward model ({@link StoryLayout#rewardModel}) with TRL's defaults ({@link PpoConfig#defaults}: KL coefficient
 * 0.05, 4 epochs), the value model starting as a copy of the reward model, into {@code ppo/}.
 */
final class PpoStage extends TrainingStage {
    static final String NAME = "ppo";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.ppo();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        TrainingConfig config = config(run.plan());
        Tokenizer tokenizer = run.tokenizer(SftStage.NAME);
        RolloutPrompts prompts = RolloutPrompts.of(run);
        Gpt policy = run.load(SftStage.NAME);
        Gpt reference = run.load(SftStage.NAME);
        RewardModel reward = RewardModel.load(run.layout().rewardModel(), run.backend());
        RewardModel value = reward.copy();
        PpoObjective objective = new PpoObjective(policy, value, reference, reward, RolloutPrompts.sampler(run, policy, tokenizer), prompts.train(),
                prompts.eval(), PpoConfig.defaults(run.plan().rolloutPrompts()), config.seed());
        Trainer.Builder b = Trainer.builder().model("policy", policy).model("value", value).frozenModel("reference", reference)
                .frozenModel("reward", reward).objective(objective).owning(objective).owning(policy).owning(value).owning(reference)
                .owning(reward).bestMetric("val_score", Trainer.Goal.MAXIMIZE);
        run.train(NAME, b, config, tokenizer);
    }
}
