package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.EvalContext;
import dev.llmforge.training.Loss;
import dev.llmforge.training.Objective;
import dev.llmforge.training.StepContext;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.TensorBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PPO against a reward model with a KL leash to the SFT model (Ziegler et al. 2019; Stiennon et al. 2020;
 * InstructGPT), in the form TRL's {@code PPOTrainer} implements. Four models: the policy (trained, from SFT), the
 * value model (trained, a {@link RewardModel} copied from the reward model), the reference (the SFT weights,
 * frozen) and the reward model (frozen).
 *
 * <p>A step: one response per prompt sampled by pure temperature; without gradients, the policy's and the
 * reference's log-probabilities, the values and the reward model's score of each response (at its last real
 * token: the end-of-turn token when one was sampled); per-token rewards {@code −β·KL} plus the score at the
 * last response token (minus the missing-EOS penalty when there is none); GAE; advantages whitened over the
 * rollout; then {@code epochs} passes of {@code minibatches} updates of the clipped policy loss plus the clipped
 * value loss. With a KL target, the coefficient adapts after each rollout.
 *
 * <p>Logged per step: {@code score}, {@code kl_k1}/{@code kl_k3} (mean per response token), {@code kl_sum} (the
 * penalty's estimate summed over each response, mean), {@code kl_coef}, {@code entropy}, {@code clip_fraction},
 * {@code approx_kl}, {@code value_loss}, {@code value_clip_fraction}, {@code explained_variance},
 * {@code response_length}, {@code eos_share}, {@code logprob_gap}, the time split, and the {@link WatchedMeasures}.
 */
public final class PpoObjective implements Objective, AutoCloseable {
    private static final String KL_COEF_STATE = "kl_coef_bits";

    private final Gpt policy;
    private final RewardModel value;
    private final Gpt reference;
    private final RewardModel reward;
    private final RolloutSampler sampler;
    private final List<RolloutPrompt> prompts;
    private final List<RolloutPrompt> evalPrompts;
    private final PpoConfig config;
    private final long seed;
    private final PromptOrder order;
    private final AdaptiveKlController kl;
    private final WatchedMeasures watched;

    /**
     * @param evalPrompts prompts whose greedy responses' mean reward-model score is the evaluation ({@code val_score}); may be empty
     * @param seed        the run's seed: prompt order, sampling and minibatches
     */
    public PpoObjective(Gpt policy, RewardModel value, Gpt reference, RewardModel reward, RolloutSampler sampler, List<RolloutPrompt> prompts,
                        List<RolloutPrompt> evalPrompts, PpoConfig config, long seed) {
        this(policy, value, reference, reward, sampler, prompts, evalPrompts, config, seed, WatchedMeasures.none());
    }

    /** As above, also logging {@code watched} on every rollout and on the evaluation's greedy responses. */
    public PpoObjective(Gpt policy, RewardModel value, Gpt reference, RewardModel reward, RolloutSampler sampler, List<RolloutPrompt> prompts,
                        List<RolloutPrompt> evalPrompts, PpoConfig config, long seed, WatchedMeasures watched) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("PPO needs at least one prompt");
        }
        this.policy = policy;
        this.value = value;
        this.reference = reference;
        this.reward = reward;
        this.sampler = sampler;
        this.prompts = List.copyOf(prompts);
        this.evalPrompts = List.copyOf(evalPrompts);
        this.config = config;
        this.seed = seed;
        this.order = new PromptOrder(prompts.size(), config.promptsPerStep(), seed);
        this.kl = new AdaptiveKlController(config.klCoefficient(), config.klTarget() > 0 ? config.klTarget() : 1, config.klHorizon());
        this.watched = watched;
    }

    @Override
    public void step(StepContext step) {
        policy.eval(); // no dropout (TRL's PPO disables it): the first pass's ratio is exactly 1, values are deterministic
        value.eval();
        StepClock clock = new StepClock();
        List<RolloutPrompt> chosen = new ArrayList<>();
        for (int i : order.next()) {
            chosen.add(prompts.get(i));
        }
        Rollout rollout = sampler.sample(chosen, 1, Seeds.of(seed, step.completedSteps()));
        clock.sampled();
        TensorFactory tensors = step.tensors();
        ScoredRollout scored = ScoredRollout.of(rollout, policy, reference, sampler.temperature(), tensors);
        double[] scores = scores(rollout, tensors);
        float[] values = values(rollout.batch(), tensors);
        float[] mask = scored.responseMask();
        float[] klPerToken = scored.kl(config.klEstimator());
        float[] rewards = tokenRewards(scores, klPerToken, mask, rollout.batch().length(), kl.coefficient());
        Gae gae = Gae.of(rewards, values, mask, rollout.rows(), rollout.batch().length(), config.gamma(), config.lambda());
        scored.rows().put(RolloutFields.ADVANTAGES, gae.whitened(mask)).put(RolloutFields.OLD_VALUES, values)
                .put(RolloutFields.RETURNS, gae.returns());
        clock.scored();
        double klSum = sum(klPerToken) / rollout.rows();
        step.record("score", mean(scores));
        step.record("kl_sum", klSum);
        step.record("kl_coef", kl.coefficient());
        step.record("explained_variance", explainedVariance(gae.returns(), values, mask));
        watched.record(step, rollout);
        scored.recordStatistics(step);
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            for (int[] rows : Minibatches.shuffled(rollout.rows(), config.minibatches(), Seeds.of(seed, step.completedSteps(), epoch))) {
                step.update(step.upload(List.of(scored.rows().select(rows))));
            }
        }
        if (config.klTarget() > 0) {
            kl.update(klSum, rollout.rows());
        }
        clock.updated(step);
        step.countTokens(rollout.responseTokens());
    }

    @Override
    public Loss compute(TensorBatch batch) {
        Tensor ids = batch.get(Batch.IDS);
        Tensor attention = batch.get(RolloutFields.ATTENTION_MASK);
        Tensor responseMask = batch.get(RolloutFields.RESPONSE_MASK);
        Tensor oldLogp = batch.get(RolloutFields.OLD_LOGPROBS);
        TokenLogProbs lp = TokenLogProbs.score(policy, ids, attention, sampler.temperature());
        Tensor logp = lp.perToken(); // (B, T)
        PolicyGradient.Surrogate surrogate = PolicyGradient.clippedSurrogate(logp, oldLogp, batch.get(RolloutFields.ADVANTAGES), config.clip());
        Tensor predicted = valuesOfActions(value.values(ids, attention)); // (B, T)
        Tensor oldValues = batch.get(RolloutFields.OLD_VALUES);
        Tensor returns = batch.get(RolloutFields.RETURNS);
        Tensor clippedValues = oldValues.add(PolicyGradient.clamp(predicted.sub(oldValues), -config.valueClip(), config.valueClip()));
        Tensor unclippedError = predicted.sub(returns).square();
        Tensor clippedError = clippedValues.sub(returns).square();
        Tensor valueLoss = unclippedError.maximum(clippedError).mul(0.5); // (B, T)
        Tensor share = LossAveraging.TOKEN.weights(responseMask, sampler.maxNewTokens()); // (B, T), sums to 1
        Tensor policyLoss = PolicyGradient.weightedSum(surrogate.loss(), share);
        Tensor meanValueLoss = PolicyGradient.weightedSum(valueLoss, share);
        Tensor loss = policyLoss.add(meanValueLoss.mul(config.valueCoefficient()));
        Tensor approxKl = PolicyGradient.weightedSum(logp.sub(oldLogp).square(), share).mul(0.5);
        return Loss.of(loss).metric("policy_loss", policyLoss).metric("value_loss", meanValueLoss)
                .metric("clip_fraction", PolicyGradient.weightedSum(surrogate.clipped(), share))
                .metric("value_clip_fraction", PolicyGradient.weightedSum(unclippedError.lt(clippedError).cast(loss.dtype()), share))
                .metric("approx_kl", approxKl).metric("entropy", PolicyGradient.weightedSum(lp.entropy(), share));
    }

    /** The mean reward-model score of the greedy responses to the evaluation prompts, {@code val_score}, and the watched measures'. */
    @Override
    public Map<String, Double> evaluate(EvalContext eval) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!evalPrompts.isEmpty()) {
            Rollout greedy = sampler.greedy(evalPrompts);
            out.put("val_score", mean(scores(greedy, eval.tensors())));
            watched.evaluate(greedy, out);
        }
        return out;
    }

    /** The reward model's score of each response, minus the missing-EOS penalty where generation hit the limit. */
    @SuppressWarnings("try") // scope and grad-mode guards do their work in close()
    private double[] scores(Rollout rollout, TensorFactory tensors) {
        float[] raw;
        try (TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
            RolloutBatch b = rollout.batch();
            raw = reward.score(b.ids(tensors), b.attentionMask(tensors)).toFloatArray();
        }
        double[] out = new double[raw.length];
        for (int r = 0; r < raw.length; r++) {
            out[r] = raw[r] - (rollout.endedAtEndOfTurn(r) ? 0 : config.missingEosPenalty());
        }
        return out;
    }

    /** The value model's value of each state, aligned with the action token taken in it (B, T), without gradients. */
    @SuppressWarnings("try") // scope and grad-mode guards do their work in close()
    private float[] values(RolloutBatch b, TensorFactory tensors) {
        boolean training = value.isTraining();
        value.eval();
        try (TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
            return valuesOfActions(value.values(b.ids(tensors), b.attentionMask(tensors))).toFloatArray();
        } finally {
            value.train(training);
        }
    }

    /**
     * Per-position values (B, T) → values aligned with the ids (B, T): entry t is the value at position t − 1, the
     * state in which token t was chosen (entry 0, which no token is chosen in, is 0).
     */
    static Tensor valuesOfActions(Tensor perPosition) {
        int rows = perPosition.dim(0);
        int length = perPosition.dim(1);
        Tensor zero = Tensor.on(perPosition.backend(), perPosition.device()).zeros(Shape.of(rows, 1), perPosition.dtype());
        return length == 1 ? zero : Ops.concat(List.of(zero, perPosition.slice(1, 0, length - 1)), 1);
    }

    /**
     * The per-token rewards (B, T): {@code −beta·KL} at every response token, plus the row's score at its last
     * response token (found by the response mask, never by token id, so padding after the end-of-turn token —
     * even padding by the end-of-turn id — is never credited).
     */
    static float[] tokenRewards(double[] scores, float[] klPerToken, float[] responseMask, int length, double beta) {
        float[] out = new float[klPerToken.length];
        for (int b = 0; b < scores.length; b++) {
            int last = -1;
            for (int t = 0; t < length; t++) {
                int i = b * length + t;
                if (responseMask[i] != 0) {
                    out[i] = (float) (-beta * klPerToken[i]);
                    last = i;
                }
            }
            out[last] += (float) scores[b];
        }
        return out;
    }

    /** {@code 1 − Var(R − V) / Var(R)} over the response tokens: how much of the returns the values explain. */
    static double explainedVariance(float[] returns, float[] values, float[] mask) {
        double n = 0;
        double sumR = 0;
        double sumD = 0;
        for (int i = 0; i < mask.length; i++) {
            n += mask[i];
            sumR += mask[i] * returns[i];
            sumD += mask[i] * (returns[i] - values[i]);
        }
        double varR = 0;
        double varD = 0;
        for (int i = 0; i < mask.length; i++) {
            varR += mask[i] * Math.pow(returns[i] - sumR / n, 2);
            varD += mask[i] * Math.pow(returns[i] - values[i] - sumD / n, 2);
        }
        return varR == 0 ? Double.NaN : 1 - varD / varR;
    }

    @Override
    public Map<String, Long> state() {
        Map<String, Long> state = new LinkedHashMap<>(order.state());
        state.put(KL_COEF_STATE, Double.doubleToLongBits(kl.coefficient()));
        return state;
    }

    @Override
    public void restore(Map<String, Long> state) {
        order.restore(state);
        Long bits = state.get(KL_COEF_STATE);
        if (bits == null) {
            throw new IllegalArgumentException("the saved PPO state has no '" + KL_COEF_STATE + "' (it has " + state.keySet() + ")");
        }
        kl.setCoefficient(Double.longBitsToDouble(bits));
    }

    /** Frees the sampler. */
    @Override
    public void close() {
        sampler.close();
    }

    private static double mean(double[] v) {
        return sumOf(v) / v.length;
    }

    private static double sumOf(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
