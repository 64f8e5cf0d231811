package dev.llmforge.examples.cli;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.rl.KlEstimator;
import dev.llmforge.alignment.rl.PpoConfig;
import dev.llmforge.alignment.rl.PpoObjective;
import dev.llmforge.alignment.rl.WatchedMeasures;
import dev.llmforge.model.Gpt;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.metrics.MetricsChart;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge ppo}: PPO from an SFT model against a reward model, with a KL leash to the SFT model. */
@Command(name = "ppo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Optimise an SFT model with PPO against a reward model (InstructGPT's recipe).",
        description = {"Four models: the policy and the value model are trained (the value model starts as a copy of the "
                + "reward model), the reference (the SFT weights) and the reward model are frozen. Each step samples one "
                + "response per prompt, rewards it with the reward model's score at its last token minus kl-coef times the "
                + "per-token KL to the reference, estimates advantages with GAE and runs --epochs passes of --minibatches "
                + "clipped updates. Logs score, KL (k1, k3), entropy, clip fraction, approx-KL, value loss, explained "
                + "variance, response length and the time split to metrics.jsonl.", ""},
        footer = {"", "Example:", "  llmforge ppo --from out/sft/best --reward out/reward/best --prompts out/world/train-eval.jsonl "
                + "--out out/ppo --max-iters 200"})
final class PpoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--reward", paramLabel = "DIR", required = true, description = "the reward model (llmforge reward's output)")
    Path rewardDir;

    @Option(names = "--prompts", paramLabel = "FILE", required = true, description = "prompts to sample responses to")
    Path promptFile;

    @Option(names = "--kl-coef", paramLabel = "X", defaultValue = "0.05",
            description = "coefficient of the per-token KL penalty (TRL 0.05; InstructGPT 0.02) (default: ${DEFAULT-VALUE})")
    double klCoef;

    @Option(names = "--kl-estimator", paramLabel = "k1|k3", defaultValue = "k1", description = "per-token KL estimate of the penalty (default: ${DEFAULT-VALUE})")
    String klEstimator;

    @Option(names = "--kl-target", paramLabel = "X", defaultValue = "0",
            description = "adaptive KL controller's target KL per response (Ziegler et al. use 6); 0: fixed coefficient (default: ${DEFAULT-VALUE})")
    double klTarget;

    @Option(names = "--missing-eos-penalty", paramLabel = "X", defaultValue = "0",
            description = "subtracted from the score of a response that hit --max-new-tokens (default: ${DEFAULT-VALUE})")
    double missingEosPenalty;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "passes over each rollout (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--minibatches", paramLabel = "N", defaultValue = "1", description = "updates per pass (default: ${DEFAULT-VALUE})")
    int minibatches;

    @Mixin
    RolloutOptions rollout;

    @Mixin
    EngineOptions engine;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        run.check(rollout.out);
        WatchedMeasures watched = rollout.watched(); // a bad --watch name fails before any model is loaded
        PpoConfig d = PpoConfig.defaults(rollout.promptsPerStep);
        PpoConfig settings = new PpoConfig(rollout.promptsPerStep, epochs, minibatches, d.clip(), d.valueClip(), d.valueCoefficient(), d.gamma(),
                d.lambda(), klCoef, KlEstimator.named(klEstimator), klTarget, d.klHorizon(), missingEosPenalty);
        RolloutOptions.Start start = rollout.start(spec, run, engine, promptFile, w);
        Gpt policy = start.policy();
        Gpt reference = start.reference();
        RewardModel reward = RewardModel.load(rewardDir, start.backend());
        RewardModel value = reward.copy();
        PpoObjective objective = new PpoObjective(policy, value, reference, reward, rollout.sampler(policy, start.tokenizer()), start.prompts(),
                start.evalPrompts(), settings, start.config().seed(), watched);
        Trainer.Builder builder = Trainer.builder().backend(start.backend()).model("policy", policy).model("value", value)
                .frozenModel("reference", reference).frozenModel("reward", reward).objective(objective).owning(objective).owning(policy)
                .owning(value).owning(reference).owning(reward).data("prompts", promptFile.toString()).data("reward", rewardDir.toString())
                .bestMetric("val_score", Trainer.Goal.MAXIMIZE)
                .chart(new MetricsChart.Spec("score.png", "PPO reward-model score", "score", List.of(MetricsChart.Series.step("score"),
                        MetricsChart.Series.eval("val_score"))))
                .chart(RolloutOptions.klChart());
        rollout.addWatchedCharts(builder);
        rollout.train(builder, start, run, w);
        return 0;
    }
}
