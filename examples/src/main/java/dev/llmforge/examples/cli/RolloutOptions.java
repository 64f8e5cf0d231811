package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.BadRecords;
import dev.llmforge.alignment.data.PromptReader;
import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.preference.LabelerScore;
import dev.llmforge.alignment.rl.ResponseMeasure;
import dev.llmforge.alignment.rl.Reward;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.alignment.rl.WatchedMeasures;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.tokenizer.TokenizerFiles;
import dev.llmforge.tokenizer.chat.ChatTemplate;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.metrics.ConsoleProgress;
import dev.llmforge.training.metrics.MetricsChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The flags PPO and GRPO share: the SFT model they start from, the prompts, the chat template, how responses
 * are sampled and where the run goes; and what the two commands do with them (load the policy and its frozen
 * reference, read the prompts, build the sampler, the training settings and the resume point).
 */
final class RolloutOptions {
    @Option(names = "--from", paramLabel = "DIR", required = true, description = "the SFT checkpoint (model and tokenizer) the policy and the reference start from")
    Path from;

    @Option(names = "--eval", paramLabel = "FILE", description = "held-out prompts whose greedy answers are evaluated every eval-interval steps")
    Path evalFile;

    @Option(names = "--template", paramLabel = "NAME", defaultValue = "qa", description = "chat template: chatml, human-assistant, qa (default: ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--temperature", paramLabel = "X", defaultValue = "1.0",
            description = "sampling temperature of the rollouts, also the one their log-probabilities are taken at (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "64", description = "longest response (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--prompts-per-step", paramLabel = "N", defaultValue = "8", description = "prompts sampled for each step (default: ${DEFAULT-VALUE})")
    int promptsPerStep;

    @Option(names = "--skip-bad-records", description = "skip prompts that cannot be read (and report them) instead of stopping")
    boolean skipBadRecords;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory: ckpt/, best/, metrics.jsonl, charts")
    Path out;

    @Option(names = "--watch", paramLabel = "NAME", split = ",",
            description = "figures logged per step and at evaluation without being optimised, to see reward hacking: exact-answer, format, "
                    + "labeler (the programmatic labeler's score); each as <name> (sampled responses), val_<name> (greedy, --eval) and <name>.png")
    List<String> watch = List.of();

    /**
     * The defaults of a reinforcement-learning run: a constant learning rate of 1e-5 (TRL's order of magnitude),
     * no weight decay, clipping at 1, 200 steps, evaluation every 20 steps.
     */
    static TrainingConfig defaults() {
        return TrainingConfig.builder().batchSize(1).maxIters(200).learningRate(1e-5).minLr(0).decayLr(false).warmupIters(0).weightDecay(0)
                .gradClip(1.0).evalInterval(20).evalIters(1).evalAtStart(true).build();
    }

    /** The --watch measures by metric name (exact-answer is logged as exact_answer). */
    WatchedMeasures watched() {
        Map<String, ResponseMeasure> measures = new LinkedHashMap<>();
        for (String name : watch) {
            measures.put(metricName(name), name.equals("labeler") ? new LabelerScore() : ResponseMeasure.of(watchedReward(name)));
        }
        return new WatchedMeasures(measures);
    }

    private static Reward watchedReward(String name) {
        try {
            return Reward.named(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--watch: unknown measure \"" + name + "\"; expected labeler, " + String.join(", ", Reward.NAMES), e);
        }
    }

    private static String metricName(String name) {
        return name.replace('-', '_');
    }

    /** One chart per --watch measure: its mean over each step's responses and over the evaluation's greedy ones. */
    void addWatchedCharts(Trainer.Builder builder) {
        for (String name : watch) {
            String metric = metricName(name);
            builder.chart(new MetricsChart.Spec(metric + ".png", "watched: " + name + " (not optimised)", metric,
                    List.of(MetricsChart.Series.step(metric), MetricsChart.Series.eval("val_" + metric))));
        }
    }

    /** {@code kl.png}: both KL estimates of the policy against the reference, per step. */
    static MetricsChart.Spec klChart() {
        return new MetricsChart.Spec("kl.png", "KL to the reference (mean per response token)", "KL",
                List.of(MetricsChart.Series.step("kl_k1"), MetricsChart.Series.step("kl_k3")));
    }

    /** The training settings: the defaults (or, resuming, the checkpoint's) with the setting flags applied. */
    private TrainingConfig trainingConfig(CommandSpec spec, RunOptions run) throws IOException {
        TrainingConfig.Builder b = run.resume ? TrainingCheckpoint.readState(resumePoint(run)).config().toBuilder() : defaults().toBuilder();
        Map<String, String> flags = SettingFlags.given(spec);
        PretrainSettings.apply(flags, "the command line", null, b);
        return b.build();
    }

    /** The latest checkpoint of --out when resuming, else null. */
    private Path resumePoint(RunOptions run) throws IOException {
        return run.resume ? TrainingCheckpoint.resumable(out.resolve(Trainer.LATEST_DIR)) : null;
    }

    /**
     * What a rollout command starts from: the settings, the engine, the SFT tokenizer, the training and held-out prompts, and
     * the policy and its frozen reference (two copies of the SFT model, each loaded once for the whole run).
     */
    record Start(TrainingConfig config, Backend backend, Tokenizer tokenizer, List<RolloutPrompt> prompts, List<RolloutPrompt> evalPrompts,
                 Gpt policy, Gpt reference) {
    }

    /**
     * Settles the settings, starts the engine, reads the tokenizer and the prompts of {@code promptFile} and --eval, and loads
     * the policy and the reference, printing the backend and the prompt counts.
     */
    Start start(CommandSpec spec, RunOptions run, EngineOptions engine, Path promptFile, PrintWriter w) throws IOException {
        TrainingConfig config = trainingConfig(spec, run);
        Backend backend = engine.resolve();
        w.println("backend: " + BackendChoice.describe(backend));
        Tokenizer tokenizer = TrainingCheckpoint.tokenizer(from);
        List<RolloutPrompt> prompts = prompts(promptFile, w);
        List<RolloutPrompt> evalPrompts = evalFile == null ? List.of() : prompts(evalFile, w);
        Gpt policy = Checkpoint.loadModel(from, backend);
        Gpt reference = Checkpoint.loadModel(from, backend);
        return new Start(config, backend, tokenizer, prompts, evalPrompts, policy, reference);
    }

    /** The prompts of {@code file}, with the count printed. */
    private List<RolloutPrompt> prompts(Path file, PrintWriter w) throws IOException {
        BadRecords bad = BadRecords.of(skipBadRecords);
        List<RolloutPrompt> prompts = PromptReader.read(file, bad);
        w.println("prompts: " + prompts.size() + " from " + file + (bad.count() > 0 ? "; " + bad.summary() : ""));
        return prompts;
    }

    RolloutSampler sampler(Gpt policy, Tokenizer tokenizer) {
        return new RolloutSampler(policy, tokenizer, ChatTemplate.named(template), temperature, maxNewTokens);
    }

    /**
     * Builds the trainer (saving the tokenizer with every checkpoint, writing to --out, resuming when asked, with
     * console progress), runs it to max-iters and summarises.
     */
    void train(Trainer.Builder builder, Start start, RunOptions run, PrintWriter w) throws IOException {
        TrainingConfig config = start.config();
        Map<String, Object> settings = new LinkedHashMap<>(PretrainSettings.values(GptConfig.shakespeareChar(65), config));
        settings.keySet().removeAll(PretrainSettings.modelKeys()); // the model is the SFT checkpoint's
        w.println("settings: " + TrainingRuns.describe(settings));
        w.flush();
        builder.config(config).tokenizerJson(TokenizerFiles.toJson(start.tokenizer())).outputDir(out).overwrite(run.overwrite)
                .listener(new ConsoleProgress(w, run.logInterval));
        Path resumeFrom = resumePoint(run);
        if (resumeFrom != null) {
            builder.resumeFrom(resumeFrom);
        }
        try (Trainer trainer = builder.build()) {
            if (trainer.step() >= config.maxIters()) {
                w.println("nothing to do: the checkpoint is at step " + trainer.step() + " and max-iters is " + config.maxIters());
                w.flush();
                return;
            }
            TrainingRuns.summarize(TrainingRuns.runStoppingOnInterrupt(trainer, w), out, w);
        }
    }
}
