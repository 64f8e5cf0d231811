package dev.llmforge.examples.story;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.reward.RewardObjective;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;

/** Trains the reward model (the SFT model's body with a fresh scalar head) on the labeler's pairs, into {@code reward/}. */
final class RewardStage extends TrainingStage {
    static final String NAME = "reward";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.reward();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        TrainingConfig config = config(run.plan());
        Tokenizer tokenizer = run.tokenizer(SftStage.NAME);
        PreferenceData data = new PreferenceData(run, tokenizer, run.plan().model().blockSize());
        RewardModel model = RewardModel.fromCheckpoint(run.layout().checkpoint(SftStage.NAME), run.backend(), run.seed());
        Trainer.Builder b = RewardObjective.trainer(model, StoryPlan.REWARD_CENTERING).owning(model)
                .trainSource(data.trainSource(config.batchSize(), config.seed())).evalSource(PreferenceData.VAL, data.valSource(config.batchSize()));
        run.train(NAME, b, config, tokenizer);
    }
}
