package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.PreferenceBatchSource;
import dev.llmforge.alignment.dpo.DpoLoss;
import dev.llmforge.alignment.dpo.DpoObjective;
import dev.llmforge.alignment.dpo.ReferenceLogProbs;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.metrics.MetricsChart;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmforge dpo}: direct preference optimisation of an SFT checkpoint against a frozen copy of itself. */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Fine-tune on preference pairs with DPO (no reward model, no sampling).",
        description = {"The policy starts as the SFT checkpoint; the reference is a frozen copy of it. Per pair, "
                + "h = (log p(chosen) - log p(rejected)) - (the same under the reference), log-probabilities summed over the "
                + "response's tokens (averaged for IPO); the loss is -log sigmoid(beta h) (sigmoid), (h - 1/(2 beta))^2 (ipo) or "
                + "max(0, 1 - beta h) (hinge). With --precompute-ref the reference scores every response once before training "
                + "and is then freed (one model in memory); otherwise it runs at every step.",
                "Metrics: the implicit rewards beta (log p - log p_ref) of chosen and rejected responses, their margin and the share "
                        + "of pairs where the chosen one's is larger (accuracy). --batch-size counts prompts; best/ is the lowest "
                        + "held-out loss.", ""},
        footer = {"", "Example:",
                "  llmforge dpo --from out/sft/best --data pairs.jsonl --out out/dpo --beta 0.1 --precompute-ref --max-iters 200"})
final class DpoCommand implements Callable<Integer> {
    static final TrainingConfig DEFAULTS = TrainingConfig.builder().batchSize(8).maxIters(200).learningRate(5e-6).minLr(5e-7).warmupIters(10)
            .lrDecayIters(200).weightDecay(0).evalInterval(50).evalIters(10).build();

    @Spec
    CommandSpec spec;

    @Mixin
    PreferenceOptions preferences;

    @Option(names = "--loss", paramLabel = "sigmoid|ipo|hinge", defaultValue = "sigmoid", description = "the DPO loss (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "0.1",
            description = "strength of the pull toward the reference (default: ${DEFAULT-VALUE}, TRL's)")
    double beta;

    @Option(names = "--precompute-ref", description = "score every response with the reference once before training, then free it")
    boolean precomputeReference;

    @Mixin
    EngineOptions engine;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        DpoLoss lossKind = DpoLoss.named(loss);
        PreferenceOptions.Start start = preferences.start(spec, run, engine, DEFAULTS,
                "loss=" + lossKind.id() + " beta=" + beta + " reference=" + (precomputeReference ? "precomputed" : "live"));
        TrainingConfig training = start.training();
        PreferenceOptions.Encoded data = start.data();
        PreferenceBatchSource.Builder train = PreferenceOptions.source(data.train(), training, training.seed());
        PreferenceBatchSource.Builder val = PreferenceOptions.source(data.val(), training, null);
        if (precomputeReference) {
            long started = System.nanoTime();
            try (Gpt reference = Checkpoint.loadModel(preferences.from, start.backend())) {
                train.referenceLogProbs(ReferenceLogProbs.compute(reference, data.train(), training.batchSize(), 0, lossKind));
                val.referenceLogProbs(ReferenceLogProbs.compute(reference, data.val(), training.batchSize(), 0, lossKind));
            }
            w.printf("reference log-probabilities of %d responses in %s%n", 2 * (data.pairs(data.train()) + data.pairs(data.val())),
                    TrainingRuns.duration((System.nanoTime() - started) / 1e9));
            w.flush();
        }
        try (Gpt policy = Checkpoint.loadModel(preferences.from, start.backend());
             Gpt reference = precomputeReference ? null : Checkpoint.loadModel(preferences.from, start.backend())) {
            Trainer.Builder builder = DpoObjective.trainer(policy, reference, lossKind, beta).chart(new MetricsChart.Spec("rewards.png",
                    "implicit rewards", "beta log(p / p_ref)", List.of(MetricsChart.Series.step(DpoObjective.CHOSEN),
                    MetricsChart.Series.step(DpoObjective.REJECTED), MetricsChart.Series.step(DpoObjective.MARGIN),
                    MetricsChart.Series.eval("val_" + DpoObjective.MARGIN))));
            preferences.train(builder, start, train.build(), val.build(), run, w);
        }
        return 0;
    }
}
