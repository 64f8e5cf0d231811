package dev.llmforge.examples.story;

import dev.llmforge.alignment.dpo.DpoLoss;
import dev.llmforge.alignment.dpo.DpoObjective;
import dev.llmforge.model.Gpt;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;

/** DPO (sigmoid loss, β 0.1) from the SFT model on the labeler's pairs, the SFT model as live reference, into {@code dpo/}. */
final class DpoStage extends TrainingStage {
    static final String NAME = "dpo";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    TrainingConfig config(StoryPlan plan) {
        return plan.dpo();
    }

    @Override
    public void run(StoryRun run) throws Exception {
        TrainingConfig config = config(run.plan());
        Tokenizer tokenizer = run.tokenizer(SftStage.NAME);
        PreferenceData data = new PreferenceData(run, tokenizer, run.plan().model().blockSize()); // DPO scores every id
        Gpt policy = run.load(SftStage.NAME);
        Gpt reference = run.load(SftStage.NAME);
        Trainer.Builder b = DpoObjective.trainer(policy, reference, DpoLoss.SIGMOID, DpoObjective.DEFAULT_BETA).owning(policy).owning(reference)
                .trainSource(data.trainSource(config.batchSize(), config.seed())).evalSource(PreferenceData.VAL, data.valSource(config.batchSize()));
        run.train(NAME, b, config, tokenizer);
    }
}
