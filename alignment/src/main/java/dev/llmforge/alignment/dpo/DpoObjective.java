package dev.llmforge.alignment.dpo;

import static dev.llmforge.alignment.data.PreferenceBatchSource.chosen;
import static dev.llmforge.alignment.data.PreferenceBatchSource.rejected;

import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Objective;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.TensorBatch;

/**
 * Direct preference optimisation on batches of a {@link PreferenceBatchSource}: the policy's log-probabilities of
 * each response (response tokens only, prompt and padding excluded), against the reference's — computed live by a
 * frozen reference model, or read from the batch ({@link PreferenceBatchSource#REFERENCE_LOG_PROB}, precomputed
 * once by {@link ReferenceLogProbs}) — through one of the {@link DpoLoss}es, weighted so that every prompt of a
 * batch counts alike.
 *
 * <p>Metrics, TRL's: the implicit rewards {@code β (log π − log π_ref)} of the chosen ({@value #CHOSEN}) and
 * rejected ({@value #REJECTED}) responses, their mean difference ({@value #MARGIN}) and the share of pairs where the
 * chosen one's is larger ({@value #ACCURACY}).
 */
public final class DpoObjective implements Objective {
    public static final String CHOSEN = "chosen_reward";
    public static final String REJECTED = "rejected_reward";
    public static final String MARGIN = "margin";
    public static final String ACCURACY = "accuracy";
    /** TRL's default β. */
    public static final double DEFAULT_BETA = 0.1;

    /** The frozen reference's name among the trainer's models. */
    public static final String REFERENCE_MODEL = "reference";

    private final Gpt policy;
    private final Gpt reference;
    private final DpoLoss loss;
    private final double beta;

    /**
     * DPO of {@code policy} against {@code reference} (null when every batch carries precomputed reference
     * log-probabilities).
     */
    public DpoObjective(Gpt policy, Gpt reference, DpoLoss loss, double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("β must be finite and > 0, got " + beta);
        }
        if (policy == reference) {
            throw new IllegalArgumentException("the reference must be a frozen model of its own, not the policy being trained");
        }
        this.policy = policy;
        this.reference = reference;
        this.loss = loss;
        this.beta = beta;
    }

    /**
     * A trainer with this loss: the policy as the primary model ({@code model}), the reference, if given, as the frozen
     * model {@code reference} (no gradients, evaluation mode; it must not share weights with the policy — load its own
     * copy). With precomputed reference log-probabilities pass no reference: only the policy is in memory.
     */
    public static Trainer.Builder trainer(Gpt policy, Gpt reference, DpoLoss loss, double beta) {
        Trainer.Builder b = Trainer.builder().model(Trainer.DEFAULT_MODEL, policy).objective(new DpoObjective(policy, reference, loss, beta));
        return reference == null ? b : b.frozenModel(REFERENCE_MODEL, reference);
    }

    /**
     * (2P): each row's log-probability of its response tokens under {@code model} — summed, or averaged for a loss
     * that {@link DpoLoss#averagesTokens() averages} — from a batch's ids, attention mask and response mask.
     */
    public static Tensor responseLogProbs(Gpt model, TensorBatch batch, DpoLoss loss) {
        TokenLogProbs scores = TokenLogProbs.score(model, batch.get(Batch.IDS), batch.get(Batch.ATTENTION_MASK), 1.0);
        Tensor response = batch.get(Batch.LOSS_MASK);
        return loss.averagesTokens() ? scores.mean(response) : scores.sum(response);
    }

    @Override
    public Loss compute(TensorBatch batch) {
        Tensor logp = responseLogProbs(policy, batch, loss);               // (2P)
        Tensor referenceLogp = referenceLogProbs(batch);                   // (2P), no gradient
        Tensor rewards = logp.sub(referenceLogp).mul(beta);                // (2P): implicit rewards β log(π / π_ref)
        Tensor chosenRewards = chosen(rewards);                            // (P)
        Tensor rejectedRewards = rejected(rewards);                        // (P)
        Tensor h = chosen(logp).sub(rejected(logp)).sub(chosen(referenceLogp).sub(rejected(referenceLogp))); // (P)
        Tensor weight = chosen(batch.get(PreferenceBatchSource.PAIR_WEIGHT));                               // (P), sums to 1
        return Loss.of(loss.of(h, beta).mul(weight).sum()).metric(CHOSEN, chosenRewards.mean()).metric(REJECTED, rejectedRewards.mean())
                .metric(MARGIN, chosenRewards.sub(rejectedRewards).mean())
                .metric(ACCURACY, rejectedRewards.lt(chosenRewards).cast(DType.F32).mean());
    }

    private Tensor referenceLogProbs(TensorBatch batch) {
        if (batch.has(PreferenceBatchSource.REFERENCE_LOG_PROB)) {
            return batch.get(PreferenceBatchSource.REFERENCE_LOG_PROB);
        }
        if (reference == null) {
            throw new IllegalStateException("DPO needs the reference's log-probabilities: give a reference model, or a batch source with "
                    + "precomputed ones");
        }
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            return responseLogProbs(reference, batch, loss);
        }
    }
}
