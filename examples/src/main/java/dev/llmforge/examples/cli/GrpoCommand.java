package dev.llmforge.examples.cli;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.rl.GrpoConfig;
import dev.llmforge.alignment.rl.GrpoObjective;
import dev.llmforge.alignment.rl.LossAveraging;
import dev.llmforge.alignment.rl.Reward;
import dev.llmforge.alignment.rl.RewardModelReward;
import dev.llmforge.alignment.rl.WatchedMeasures;
import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.chat.ChatTemplate;
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

/** {@code llmforge grpo}: GRPO from an SFT model with a reward a program checks. */
@Command(name = "grpo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Optimise an SFT model with GRPO and a checkable reward (no value model).",
        description = {"For each prompt, --group-size responses are sampled; each one's advantage is its reward against the "
                + "group's mean and standard deviation; the clipped policy loss plus beta times the k3 KL to the frozen SFT "
                + "model is averaged as --loss-averaging says. Prompts: an eval file ({\"question\",\"answer\"}) or any SFT "
                + "format with final answers. Logs reward, zero_spread (groups whose responses all got the same reward), "
                + "KL, clip fraction, entropy and the time split to metrics.jsonl.", ""},
        footer = {"", "Example:", "  llmforge grpo --from out/sft/best --data out/world/train-eval.jsonl --eval out/world/eval.jsonl "
                + "--out out/grpo --group-size 8 --max-iters 100"})
final class GrpoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", required = true, description = "prompts with expected answers")
    Path data;

    @Option(names = "--reward", paramLabel = "NAME", defaultValue = "exact-answer", description = "exact-answer or format (default: ${DEFAULT-VALUE})")
    String reward;

    @Option(names = "--reward-model", paramLabel = "DIR", description = "reward with a reward model's score instead of --reward (one forward "
            + "pass per response)")
    Path rewardModel;

    @Option(names = "--group-size", paramLabel = "G", defaultValue = "8", description = "responses per prompt (default: ${DEFAULT-VALUE})")
    int groupSize;

    @Option(names = "--beta", paramLabel = "X", defaultValue = "0.04", description = "weight of the k3 KL to the reference; 0 drops it (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--clip", paramLabel = "X", defaultValue = "0.2", description = "epsilon of the clipped ratio (default: ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "1", description = "passes over each rollout (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--minibatches", paramLabel = "N", defaultValue = "1", description = "updates per pass (default: ${DEFAULT-VALUE})")
    int minibatches;

    @Option(names = "--loss-averaging", paramLabel = "KIND", defaultValue = "sequence",
            description = "sequence (GRPO paper), token (DAPO) or constant (Dr. GRPO) (default: ${DEFAULT-VALUE})")
    String averaging;

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
        if (rewardModel != null && spec.commandLine().getParseResult().hasMatchedOption("--reward")) {
            throw new IllegalArgumentException("--reward names a checkable reward, --reward-model a learned one: choose one");
        }
        Reward checker = rewardModel == null ? Reward.named(reward) : null;
        GrpoConfig settings = new GrpoConfig(rollout.promptsPerStep, groupSize, beta, clip, iterations, minibatches,
                LossAveraging.named(averaging), GrpoConfig.defaults(1).stdEpsilon());
        RolloutOptions.Start start = rollout.start(spec, run, engine, data, w);
        Backend backend = start.backend();
        Tokenizer tokenizer = start.tokenizer();
        Gpt policy = start.policy();
        Gpt reference = start.reference();
        Trainer.Builder builder = Trainer.builder().backend(backend).model("policy", policy).frozenModel("reference", reference);
        if (rewardModel != null) {
            RewardModel scorer = RewardModel.load(rewardModel, backend);
            builder.frozenModel("reward", scorer).owning(scorer).data("reward", rewardModel.toString());
            checker = new RewardModelReward(scorer, tokenizer, ChatTemplate.named(rollout.template));
        }
        GrpoObjective objective = new GrpoObjective(policy, reference, rollout.sampler(policy, tokenizer), start.prompts(), start.evalPrompts(),
                checker, settings, start.config().seed(), watched);
        builder.objective(objective).owning(objective).owning(policy).owning(reference).data("prompts", data.toString())
                .bestMetric("val_reward", Trainer.Goal.MAXIMIZE)
                .chart(new MetricsChart.Spec("reward.png", "GRPO reward", "reward", List.of(MetricsChart.Series.step("reward"),
                        MetricsChart.Series.eval("val_reward"), MetricsChart.Series.step("zero_spread"))))
                .chart(RolloutOptions.klChart());
        rollout.addWatchedCharts(builder);
        rollout.train(builder, start, run, w);
        return 0;
    }
}
