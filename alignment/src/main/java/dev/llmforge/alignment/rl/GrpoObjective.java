package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Tensor;
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
 * GRPO (Shao et al. 2024, DeepSeekMath): for each prompt of a step, G responses sampled by the policy and
 * rewarded by a program ({@link Reward}); each response's advantage is its reward against its group's
 * ({@link GroupAdvantages}), the same for all its tokens; the loss is the clipped surrogate plus β times the k3
 * KL to the frozen reference, averaged as {@link LossAveraging} says. No value model.
 *
 * <p>A step: sample (no gradients), reward, take the policy's (old) and the reference's log-probabilities in one
 * forward pass each, then {@code iterations} passes of {@code minibatches} updates. Logged per step:
 * {@code reward} (mean), {@code reward_std} (mean within-group std), {@code zero_spread} (share of groups whose
 * rewards are all equal), {@code kl_k1}/{@code kl_k3} (policy vs reference on the sampled tokens, mean per
 * response token), {@code response_length}, {@code eos_share} (responses that ended with the end-of-turn token),
 * {@code logprob_gap} (largest difference between a sampled token's log-probability as the sampler reported it
 * and as the forward pass scores it: 0 up to rounding when sampling and scoring assume the same distribution),
 * and from the updates {@code clip_fraction}, {@code kl}, {@code entropy}; the time split; and the {@link WatchedMeasures}.
 *
 * <p>Dropout is off during the step (as TRL's PPO does): the first pass's ratio is exactly 1.
 *
 * <p>The objective draws its own prompts ({@link PromptOrder}) and saves their position in its state; the sampling
 * seed of a step is derived from the run's seed and the step number, so a resumed run samples what an
 * uninterrupted one would.
 */
public final class GrpoObjective implements Objective, AutoCloseable {
    private final Gpt policy;
    private final Gpt reference;
    private final RolloutSampler sampler;
    private final List<RolloutPrompt> prompts;
    private final List<RolloutPrompt> evalPrompts;
    private final Reward reward;
    private final GrpoConfig config;
    private final long seed;
    private final PromptOrder order;
    private final WatchedMeasures watched;

    /**
     * @param evalPrompts prompts whose greedy responses' mean reward is the evaluation ({@code val_reward}); may be empty
     * @param seed        the run's seed: prompt order and sampling
     */
    public GrpoObjective(Gpt policy, Gpt reference, RolloutSampler sampler, List<RolloutPrompt> prompts, List<RolloutPrompt> evalPrompts,
                         Reward reward, GrpoConfig config, long seed) {
        this(policy, reference, sampler, prompts, evalPrompts, reward, config, seed, WatchedMeasures.none());
    }

    /** As above, also logging {@code watched} on every rollout and on the evaluation's greedy responses. */
    public GrpoObjective(Gpt policy, Gpt reference, RolloutSampler sampler, List<RolloutPrompt> prompts, List<RolloutPrompt> evalPrompts,
                         Reward reward, GrpoConfig config, long seed, WatchedMeasures watched) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("GRPO needs at least one prompt");
        }
        this.policy = policy;
        this.reference = reference;
        this.sampler = sampler;
        this.prompts = List.copyOf(prompts);
        this.evalPrompts = List.copyOf(evalPrompts);
        this.reward = reward;
        this.config = config;
        this.seed = seed;
        this.order = new PromptOrder(prompts.size(), config.promptsPerStep(), seed);
        this.watched = watched;
    }

    @Override
    public void step(StepContext step) {
        policy.eval(); // no dropout: the updates' first pass sees the forward pass the old log-probabilities came from
        StepClock clock = new StepClock();
        List<RolloutPrompt> chosen = new ArrayList<>();
        for (int i : order.next()) {
            chosen.add(prompts.get(i));
        }
        Rollout rollout = sampler.sample(chosen, config.groupSize(), Seeds.of(seed, step.completedSteps()));
        clock.sampled();
        double[] rewards = new double[rollout.rows()];
        for (int r = 0; r < rewards.length; r++) {
            rewards[r] = reward.score(rollout.promptTexts().get(r), rollout.response(r), rollout.prompts().get(r));
        }
        GroupAdvantages advantages = GroupAdvantages.of(rewards, config.groupSize(), config.stdEpsilon());
        ScoredRollout scored = ScoredRollout.of(rollout, policy, reference, sampler.temperature(), step.tensors());
        scored.rows().put(RolloutFields.ADVANTAGES, scored.perResponseToken(advantages.advantages()));
        clock.scored();
        step.record("reward", mean(rewards));
        step.record("reward_std", advantages.meanStd());
        step.record("zero_spread", advantages.zeroSpreadShare());
        watched.record(step, rollout);
        scored.recordStatistics(step);
        for (int pass = 0; pass < config.iterations(); pass++) {
            for (int[] rows : Minibatches.shuffled(rollout.rows(), config.minibatches(), Seeds.of(seed, step.completedSteps(), pass))) {
                step.update(step.upload(List.of(scored.rows().select(rows))));
            }
        }
        clock.updated(step);
        step.countTokens(rollout.responseTokens());
    }

    @Override
    public Loss compute(TensorBatch batch) {
        Tensor responseMask = batch.get(RolloutFields.RESPONSE_MASK);
        TokenLogProbs lp = TokenLogProbs.score(policy, batch.get(Batch.IDS), batch.get(RolloutFields.ATTENTION_MASK), sampler.temperature());
        Tensor logp = lp.perToken(); // (B, T)
        PolicyGradient.Surrogate surrogate = PolicyGradient.clippedSurrogate(logp, batch.get(RolloutFields.OLD_LOGPROBS),
                batch.get(RolloutFields.ADVANTAGES), config.clip());
        Tensor kl = PolicyGradient.kl(KlEstimator.K3, logp, batch.get(RolloutFields.REF_LOGPROBS)); // (B, T)
        Tensor perToken = config.beta() > 0 ? surrogate.loss().add(kl.mul(config.beta())) : surrogate.loss();
        Tensor loss = PolicyGradient.weightedSum(perToken, config.averaging().weights(responseMask, sampler.maxNewTokens()));
        Tensor tokenShare = LossAveraging.TOKEN.weights(responseMask, sampler.maxNewTokens());
        return Loss.of(loss).metric("clip_fraction", PolicyGradient.weightedSum(surrogate.clipped(), tokenShare))
                .metric("kl", PolicyGradient.weightedSum(kl, tokenShare))
                .metric("entropy", PolicyGradient.weightedSum(lp.entropy(), tokenShare));
    }

    /** The mean reward of the greedy responses to the evaluation prompts, {@code val_reward} (none without such prompts). */
    @Override
    public Map<String, Double> evaluate(EvalContext eval) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!evalPrompts.isEmpty()) {
            Rollout greedy = sampler.greedy(evalPrompts);
            double sum = 0;
            for (int r = 0; r < greedy.rows(); r++) {
                sum += reward.score(greedy.promptTexts().get(r), greedy.response(r), greedy.prompts().get(r));
            }
            out.put("val_reward", sum / greedy.rows());
            watched.evaluate(greedy, out);
        }
        return out;
    }

    @Override
    public Map<String, Long> state() {
        return order.state();
    }

    @Override
    public void restore(Map<String, Long> state) {
        order.restore(state);
    }

    /** Frees the sampler. */
    @Override
    public void close() {
        sampler.close();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
