package dev.llmforge.alignment.reward;

import static dev.llmforge.alignment.data.PreferenceBatchSource.chosen;
import static dev.llmforge.alignment.data.PreferenceBatchSource.rejected;

import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Objective;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.TensorBatch;

/**
 * A reward model's pairwise loss on batches of a {@link PreferenceBatchSource}: per pair
 * {@code −log σ(r_chosen − r_rejected − margin)} (InstructGPT; the margin, when the data gives one, as Llama 2's),
 * weighted so that every prompt of a batch counts alike, plus {@code centering · mean((r_chosen + r_rejected)²)}
 * (Eisenstein et al. 2023, TRL's {@code center_rewards_coefficient}) which keeps scores near 0 — the pairwise loss
 * alone does not care where they sit.
 *
 * <p>Metrics: {@value #ACCURACY} (share of pairs whose chosen response scores higher; a tie counts as wrong),
 * {@value #MARGIN} (mean {@code r_chosen − r_rejected}), {@value #CHOSEN} and {@value #REJECTED} (mean scores).
 */
public final class RewardObjective implements Objective {
    public static final String ACCURACY = "accuracy";
    public static final String MARGIN = "margin";
    public static final String CHOSEN = "chosen_reward";
    public static final String REJECTED = "rejected_reward";

    /** The head's name among the trainer's models (its weights file is {@link RewardModel#HEAD_FILE}). */
    static final String HEAD_MODEL = "head";

    private final RewardModel model;
    private final double centering;

    /** The loss of {@code model} with reward-centering coefficient {@code centering} (0: none; e.g. 0.01). */
    public RewardObjective(RewardModel model, double centering) {
        if (!(centering >= 0) || Double.isInfinite(centering)) {
            throw new IllegalArgumentException("the reward-centering coefficient must be finite and >= 0, got " + centering);
        }
        this.model = model;
        this.centering = centering;
    }

    /**
     * A trainer with this loss: the body as the primary model ({@code model}: plain model files that {@code generate}
     * reads) and the head as {@code head} ({@link RewardModel#HEAD_FILE}), so every checkpoint is a reward-model
     * directory; the best checkpoint is the highest {@code val_accuracy} (add an evaluation source named {@code val}).
     */
    public static Trainer.Builder trainer(RewardModel model, double centering) {
        return Trainer.builder().model(Trainer.DEFAULT_MODEL, model.body()).model(HEAD_MODEL, model.head())
                .objective(new RewardObjective(model, centering)).bestMetric("val_" + ACCURACY, Trainer.Goal.MAXIMIZE);
    }

    @Override
    public Loss compute(TensorBatch batch) {
        Tensor scores = model.score(batch.get(Batch.IDS), batch.get(Batch.ATTENTION_MASK)); // (2P)
        Tensor chosen = chosen(scores);                                                      // (P)
        Tensor rejected = rejected(scores);                                                  // (P)
        Tensor difference = chosen.sub(rejected);                                            // (P)
        Tensor margin = chosen(batch.get(PreferenceBatchSource.MARGIN));                     // (P)
        Tensor weight = chosen(batch.get(PreferenceBatchSource.PAIR_WEIGHT));                // (P), sums to 1
        Tensor loss = F.logSigmoid(difference.sub(margin)).mul(weight).sum().neg();
        if (centering > 0) {
            loss = loss.add(chosen.add(rejected).square().mean().mul(centering));
        }
        return Loss.of(loss).metric(ACCURACY, rejected.lt(chosen).cast(DType.F32).mean()).metric(MARGIN, difference.mean())
                .metric(CHOSEN, chosen.mean()).metric(REJECTED, rejected.mean());
    }
}
