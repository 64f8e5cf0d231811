package dev.llmforge.alignment.rl;

import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.training.StepContext;

/**
 * A rollout with what every policy-gradient step computes from it without gradients: the policy's log-probabilities
 * of the sampled tokens (the "old" ones of the ratio) and the reference's, both at the sampling temperature, as
 * {@link RolloutRows} fields next to the ids and masks, and the statistics of the rollout.
 */
final class ScoredRollout {
    private final Rollout rollout;
    private final RolloutRows rows;
    private final float[] responseMask;
    private final int length;

    private ScoredRollout(Rollout rollout, RolloutRows rows, float[] responseMask) {
        this.rollout = rollout;
        this.rows = rows;
        this.responseMask = responseMask;
        this.length = rollout.batch().length();
    }

    static ScoredRollout of(Rollout rollout, Gpt policy, Gpt reference, double temperature, TensorFactory tensors) {
        RolloutBatch b = rollout.batch();
        float[] responseMask = b.responseMask(tensors).toFloatArray();
        RolloutRows rows = new RolloutRows(b.batch(), b.length(), b.ids(tensors).toLongArray())
                .put(RolloutFields.ATTENTION_MASK, b.attentionMask(tensors).toFloatArray())
                .put(RolloutFields.RESPONSE_MASK, responseMask)
                .put(RolloutFields.OLD_LOGPROBS, rollout.logProbsUnder(policy, temperature, tensors))
                .put(RolloutFields.REF_LOGPROBS, rollout.logProbsUnder(reference, temperature, tensors));
        return new ScoredRollout(rollout, rows, responseMask);
    }

    RolloutRows rows() {
        return rows;
    }

    float[] responseMask() {
        return responseMask;
    }

    /** (B, T): each row's value at its response tokens, 0 elsewhere. */
    float[] perResponseToken(double[] perRow) {
        float[] out = new float[responseMask.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = responseMask[i] * (float) perRow[i / length];
        }
        return out;
    }

    /** (B, T): the KL estimate of policy vs reference at each response token, 0 elsewhere. */
    float[] kl(KlEstimator estimator) {
        float[] old = rows.get(RolloutFields.OLD_LOGPROBS);
        float[] ref = rows.get(RolloutFields.REF_LOGPROBS);
        float[] out = new float[old.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = responseMask[i] == 0 ? 0 : (float) estimator.of(old[i], ref[i]);
        }
        return out;
    }

    /**
     * Records {@code kl_k1} and {@code kl_k3} (mean per response token), {@code response_length} (mean tokens,
     * end-of-turn included), {@code eos_share} and {@code logprob_gap} (see {@link GrpoObjective}).
     */
    void recordStatistics(StepContext step) {
        float[] old = rows.get(RolloutFields.OLD_LOGPROBS);
        float[] sampled = rollout.batch().logProbs(step.tensors()).toFloatArray();
        float[] k1 = kl(KlEstimator.K1);
        float[] k3 = kl(KlEstimator.K3);
        double tokens = 0;
        double sum1 = 0;
        double sum3 = 0;
        double gap = 0;
        for (int i = 0; i < old.length; i++) {
            if (responseMask[i] != 0) {
                tokens++;
                sum1 += k1[i];
                sum3 += k3[i];
                gap = Math.max(gap, Math.abs(old[i] - sampled[i]));
            }
        }
        int ended = 0;
        for (int r = 0; r < rollout.rows(); r++) {
            ended += rollout.endedAtEndOfTurn(r) ? 1 : 0;
        }
        step.record("kl_k1", sum1 / tokens);
        step.record("kl_k3", sum3 / tokens);
        step.record("response_length", tokens / rollout.rows());
        step.record("eos_share", (double) ended / rollout.rows());
        step.record("logprob_gap", gap);
    }
}
