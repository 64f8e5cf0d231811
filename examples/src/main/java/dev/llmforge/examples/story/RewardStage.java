package dev.llmforge.examples.story;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.reward.RewardObjective;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import java.nio.file.Files;
import java.util.Locale;

/**
 * Trains the reward model (the SFT model's body with a fresh scalar head) on the labeler's pairs into
 * {@code reward/}, then normalises it as InstructGPT does — the offset set so that the SFT answers of the pairs
 * average 0 — and writes it to {@code reward/normalised/}, the model PPO reads.
 */
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
    public boolean done(StoryRun run) {
        return super.done(run) && Files.isRegularFile(run.layout().rewardModel().resolve(RewardModel.NORMALISATION_FILE));
    }

    @Override
    public void run(StoryRun run) throws Exception {
        TrainingConfig config = config(run.plan());
        Tokenizer tokenizer = run.tokenizer(SftStage.NAME);
        PreferenceData data = new PreferenceData(run, tokenizer, run.plan().model().blockSize());
        if (!super.done(run)) {
            RewardModel model = RewardModel.fromCheckpoint(run.layout().checkpoint(SftStage.NAME), run.backend(), run.seed());
            Trainer.Builder b = RewardObjective.trainer(model, StoryPlan.REWARD_CENTERING).owning(model)
                    .trainSource(data.trainSource(config.batchSize(), config.seed())).evalSource(PreferenceData.VAL, data.valSource(config.batchSize()));
            run.train(NAME, b, config, tokenizer);
        }
        try (RewardModel trained = RewardModel.load(run.layout().checkpoint(NAME), run.backend())) {
            double offset = trained.normalise(trained.scoreAll(data.sftAnswers(), run.plan().generationBatch()));
            trained.save(run.layout().rewardModel(), TokenizerFiles.toJson(tokenizer));
            run.note(String.format(Locale.ROOT, "reward model: %s (offset %.4f: the %d SFT answers of the pairs average 0)", run.layout().rewardModel(),
                    offset, data.sftAnswers().size()));
        }
    }
}
