package dev.llmforge.examples.cli;

import dev.llmforge.alignment.data.PreferenceExample;
import dev.llmforge.alignment.data.RecordField;
import dev.llmforge.alignment.reward.PairwiseAccuracy;
import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.alignment.reward.RewardObjective;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingCheckpoint;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import dev.llmforge.training.metrics.MetricsChart;
import java.io.PrintWriter;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmforge reward}: trains a reward model — the body of an SFT checkpoint with a fresh scalar head — on
 * preference pairs, then normalises it so that the chosen training responses average 0 and writes it to
 * {@code <out>/reward}.
 */
@Command(name = "reward", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train a reward model on preference pairs (InstructGPT's pairwise loss).",
        description = {"The SFT checkpoint's body with a scalar head read at each sequence's last real token learns "
                + "-log sigmoid(r_chosen - r_rejected - margin) per pair (the margin when the data gives one), plus "
                + "--centering * mean((r_chosen + r_rejected)^2). All pairs of one prompt (a ranked list's K(K-1)/2) go in "
                + "one batch; --batch-size counts prompts. Metrics: pairwise accuracy and mean margin; best/ is the "
                + "checkpoint of highest held-out accuracy.",
                "At the end the best model is normalised (its chosen training responses average a score of 0) and written to "
                        + "<out>/reward: the body as a model checkpoint, the head, the offset (RewardModel.load reads it).", ""},
        footer = {"", "Example:",
                "  llmforge reward --from out/sft/best --data hh.jsonl.gz --out out/rm --max-iters 300 --lr 1e-4"})
final class RewardCommand implements Callable<Integer> {
    /** The run's directory under the output directory holding the normalised reward model. */
    static final String REWARD_DIR = "reward";
    static final TrainingConfig DEFAULTS = TrainingConfig.builder().batchSize(8).maxIters(200).learningRate(5e-5).minLr(5e-6).warmupIters(10)
            .lrDecayIters(200).weightDecay(0).evalInterval(50).evalIters(10).build();

    @Spec
    CommandSpec spec;

    @Mixin
    PreferenceOptions preferences;

    @Option(names = "--centering", paramLabel = "X", defaultValue = "0.01",
            description = "reward-centering coefficient: keeps scores near 0 (Eisenstein et al. 2023; 0: off) (default: ${DEFAULT-VALUE})")
    double centering;

    @Option(names = "--accuracy-by", paramLabel = "FIELD",
            description = "after training, also report the held-out accuracy per value of this field of the pair records (e.g. kind: "
                    + "form, correctness or length in the labeler's pairs)")
    String accuracyBy;

    @Option(names = "--test-data", split = ",", paramLabel = "FILE[,FILE]",
            description = "after training, also report the normalised model's accuracy on these pairs: unlike --val-data, they played no part "
                    + "in choosing best/, so their accuracy is not optimistic by that choice")
    List<Path> testData;

    @Mixin
    EngineOptions engine;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        PreferenceOptions.Start start = preferences.start(spec, run, engine, DEFAULTS, "centering=" + centering);
        TrainingConfig training = start.training();
        TrainingResult result;
        try (RewardModel model = RewardModel.fromCheckpoint(preferences.from, start.backend(), training.seed())) {
            Trainer.Builder builder = RewardObjective.trainer(model, centering).chart(new MetricsChart.Spec("accuracy.png", "pairwise accuracy",
                    "accuracy", List.of(MetricsChart.Series.step(RewardObjective.ACCURACY), MetricsChart.Series.eval("val_" + RewardObjective.ACCURACY))));
            result = preferences.train(builder, start, PreferenceOptions.source(start.data().train(), training, training.seed()).build(),
                    PreferenceOptions.source(start.data().val(), training, null).build(), run, w);
        }
        if (!result.stoppedEarly()) {
            normalise(preferences.out, start.backend(), start.data(), training.batchSize(), w);
            accuracy(start.backend(), start.data().val(), "held-out", training.batchSize(), w);
            if (testData != null) {
                List<List<PreferenceExample>> test = preferences.encodeOther(testData, Checkpoint.loadConfig(preferences.from), w);
                accuracy(start.backend(), test, "test (" + testData.stream().map(Path::toString).collect(Collectors.joining(",")) + ")",
                        training.batchSize(), w);
            }
        }
        return 0;
    }

    /** The normalised reward model's accuracy on every pair of {@code groups}, overall and per value of --accuracy-by. */
    private void accuracy(Backend backend, List<List<PreferenceExample>> groups, String name, int batchSize, PrintWriter w) throws Exception {
        try (RewardModel model = RewardModel.load(preferences.out.resolve(REWARD_DIR), backend)) {
            PairwiseAccuracy accuracy = PairwiseAccuracy.measure(model, groups, accuracyBy == null ? null : new RecordField(accuracyBy),
                    2 * batchSize);
            w.println(name + " pairwise accuracy (" + REWARD_DIR + "/, every pair once):");
            accuracy.describe(accuracyBy).forEach(line -> w.println("  " + line));
            w.flush();
        }
    }

    /** Loads the best checkpoint (else the latest), sets its offset so the chosen training responses average 0, writes {@code <out>/reward}. */
    private static void normalise(Path out, Backend backend, PreferenceOptions.Encoded data, int batchSize, PrintWriter w) throws Exception {
        Path best = out.resolve(Trainer.BEST_DIR);
        Path source = TrainingCheckpoint.exists(best) ? best : out.resolve(Trainer.LATEST_DIR);
        Set<IntBuffer> distinct = new LinkedHashSet<>(); // a ranked list's response is chosen in several pairs: count it once
        for (List<PreferenceExample> group : data.train()) {
            group.forEach(p -> distinct.add(IntBuffer.wrap(p.chosenSequence().ids())));
        }
        List<int[]> chosen = distinct.stream().map(IntBuffer::array).toList();
        try (RewardModel model = RewardModel.load(source, backend)) {
            double offset = model.normalise(model.scoreAll(chosen, 2 * batchSize));
            Path target = out.resolve(REWARD_DIR);
            model.save(target, data.tokenizerJson());
            w.printf(Locale.ROOT, "reward model: %s (from %s; offset %.4f: its %d chosen training responses average 0)%n", target, source, offset,
                    chosen.size());
            w.flush();
        }
    }
}
