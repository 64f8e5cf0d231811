package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.assertResumedExactly;
import static dev.llmforge.training.TrainingFixtures.assertSameParameters;
import static dev.llmforge.training.TrainingFixtures.params;
import static dev.llmforge.training.TrainingFixtures.stepLosses;
import static dev.llmforge.training.TrainingFixtures.stopAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.Tokenizer;
import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.PaddedRecordSource;
import dev.llmforge.training.data.PaddedRecordSource.Record;
import dev.llmforge.training.data.TensorBatch;
import dev.llmforge.training.metrics.EvalMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An objective written outside the training module — masked next-token loss on right-padded
 * records, the shape of SFT — trains, evaluates, checkpoints and resumes exactly on the unchanged
 * loop.
 */
class CustomObjectiveTest {
    static final Backend REFERENCE = Backends.get("reference");
    static final int LENGTH = 16;

    @TempDir
    Path dir;
    Tokenizer tokenizer;
    List<Record> train;
    List<Record> val;
    long padId;

    /**
     * The loss of the tokens a record marks, predicted from the tokens before them: targets are the
     * ids shifted by one, set to the ignore index where the loss mask (taken by position) is 0 —
     * padding, prompt tokens — whatever their id.
     */
    static class MaskedNextToken implements Objective {
        private final Gpt model;

        MaskedNextToken(Gpt model) {
            this.model = model;
        }

        @Override
        public Loss compute(TensorBatch batch) {
            Tensor ids = batch.get(Batch.IDS);                                 // (B, T)
            int t = ids.dim(1);
            Tensor next = ids.slice(1, 1, t);                                  // (B, T-1): the token each position predicts
            Tensor trained = batch.get(Batch.LOSS_MASK).slice(1, 1, t).eq(1);  // (B, T-1): is that token a target?
            Tensor targets = trained.where(next, next.scalarLike(F.IGNORE_INDEX));
            Gpt.Output out = model.forward(ids.slice(1, 0, t - 1), targets, F.IGNORE_INDEX);
            return Loss.of(out.loss()).metric("targets", trained.cast(DType.F32).sum());
        }
    }

    @BeforeEach
    void records() throws Exception {
        String text = TrainingFixtures.shakespeareHead();
        tokenizer = TrainingFixtures.preparedShakespeareHead(dir.resolve("data")).tokenizer();
        padId = tokenizer.encode("\n")[0]; // a real token: the masks, not the id, must tell padding apart
        List<Record> all = lineRecords(text, tokenizer, 40);
        train = all.subList(0, 32);
        val = all.subList(32, 40);
    }

    /** The first {@code n} lines of at least 4 characters, cut to {@link #LENGTH} tokens with their newline. */
    static List<Record> lineRecords(String text, Tokenizer tokenizer, int n) {
        List<Record> all = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.length() >= 4 && all.size() < n) {
                String clipped = line.length() > LENGTH - 1 ? line.substring(0, LENGTH - 1) : line;
                all.add(promptAndAnswer(tokenizer.encode(clipped + "\n")));
            }
        }
        return all;
    }

    /** The first third of the tokens is the prompt (not trained), the rest the answer. */
    static Record promptAndAnswer(int[] tokens) {
        long[] ids = new long[tokens.length];
        boolean[] mask = new boolean[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            mask[i] = i >= tokens.length / 3;
        }
        return new Record(ids, mask);
    }

    private Gpt model() {
        return new Gpt(GptConfig.gpt2(tokenizer.vocabSize(), LENGTH, 2, 2, 16).toBuilder().bias(false).dropout(0.1).build(), REFERENCE, 3);
    }

    private Trainer.Builder trainer(Gpt model, Path out) {
        TrainingConfig config = TrainingConfig.builder().gradAccumSteps(2).maxIters(8).learningRate(1e-2).minLr(1e-3).warmupIters(2)
                .lrDecayIters(8).evalInterval(4).evalIters(2).seed(5).build();
        return Trainer.builder().backend(REFERENCE).config(config).model("model", model).objective(new MaskedNextToken(model))
                .trainSource(PaddedRecordSource.builder(train).batchSize(4).length(LENGTH).padId(padId).shuffle(11).build())
                .evalSource("val", PaddedRecordSource.builder(val).batchSize(4).length(LENGTH).padId(padId).build())
                .tokenizerJson("{}").outputDir(out);
    }

    @Test
    void trainsEvaluatesCheckpointsAndResumesExactly() throws Exception {
        Recorder straight = new Recorder();
        float[][] straightParams;
        try (Gpt model = model(); Trainer t = trainer(model, dir.resolve("a")).listener(straight).build()) {
            TrainingResult r = t.run();
            straightParams = params(model);
            assertEquals(8, r.lastStep());
            assertEquals("val_loss", r.bestMetric());
        }
        EvalMetrics first = straight.evals.get(0);
        EvalMetrics last = straight.evals.get(straight.evals.size() - 1);
        assertEquals(List.of("val_loss", "val_targets"), List.copyOf(first.values().keySet()));
        assertTrue(last.get("val_loss") < first.get("val_loss") - 0.3, "held-out masked loss falls: " + straight.evals);
        assertTrue(straight.steps.get(0).metrics().get("targets") > 10, "the metric of the step: " + straight.steps.get(0));

        Path out = dir.resolve("b");
        Recorder before = new Recorder();
        try (Gpt model = model(); Trainer t = trainer(model, out).listener(before).build()) {
            t.addListener(stopAt(t, 3));
            assertTrue(t.run().stoppedEarly());
        }
        Recorder after = new Recorder();
        try (Gpt model = model(); Trainer t = trainer(model, out).resumeFrom(out.resolve(Trainer.LATEST_DIR)).listener(after).build()) {
            assertEquals(3, t.step());
            t.run();
            assertSameParameters(straightParams, params(model));
        }
        assertResumedExactly(straight, before, after);
        assertEquals(straight.losses, stepLosses(out.resolve(Trainer.METRICS_FILE)));
        assertEquals(TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR)).bestValue(),
                straight.evals.stream().filter(e -> e.step() > 0).mapToDouble(e -> e.get("val_loss")).min().orElseThrow());
    }

    @Test
    @SuppressWarnings("try")
    void theMaskedLossIgnoresPaddingEvenWhenThePadIdIsARealToken() throws Exception {
        PaddedRecordSource source = PaddedRecordSource.builder(train).batchSize(4).length(LENGTH).padId(padId).build();
        Batch batch = source.next();
        try (Gpt model = model(); TensorScope ignored = TensorScope.open()) {
            model.eval();
            double padded = new MaskedNextToken(model).compute(batch.upload(Tensor.on(REFERENCE))).value().item();
            // the same four records one by one, unpadded: the loss sums of their marked tokens over their count
            double sum = 0;
            int count = 0;
            for (int r = 0; r < 4; r++) {
                Record rec = train.get(r);
                long[] ids = rec.ids();
                boolean[] mask = rec.lossMask();
                long[] inputs = new long[ids.length - 1];
                long[] targets = new long[ids.length - 1];
                int marked = 0;
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i] = ids[i];
                    targets[i] = mask[i + 1] ? ids[i + 1] : F.IGNORE_INDEX;
                    marked += mask[i + 1] ? 1 : 0;
                }
                double mean = model.forward(Tensor.on(REFERENCE).of(inputs, 1, inputs.length), Tensor.on(REFERENCE).of(targets, 1, inputs.length),
                        F.IGNORE_INDEX).loss().item();
                sum += mean * marked;
                count += marked;
            }
            assertEquals(sum / count, padded, 1e-5);
        }
    }

    @Test
    void theBestCheckpointFollowsTheChosenMetricAndDirection() throws Exception {
        double[] accuracies = {0.5, 0.7, 0.6}; // evaluations at steps 0, 2 and 4
        Path out = dir.resolve("run");
        try (Gpt model = model()) {
            Objective scored = new MaskedNextToken(model) {
                private int evaluations;

                @Override
                public Map<String, Double> evaluate(EvalContext eval) {
                    Map<String, Double> values = new LinkedHashMap<>(eval.meanOverSources());
                    values.put("val_accuracy", accuracies[evaluations++]);
                    return values;
                }
            };
            TrainingConfig config = TrainingConfig.builder().maxIters(4).evalInterval(2).evalIters(1).build();
            try (Trainer t = Trainer.builder().backend(REFERENCE).config(config).model("model", model).objective(scored)
                    .trainSource(PaddedRecordSource.builder(train).batchSize(4).length(LENGTH).build())
                    .evalSource("val", PaddedRecordSource.builder(val).batchSize(4).length(LENGTH).build())
                    .bestMetric("val_accuracy", Trainer.Goal.MAXIMIZE).outputDir(out).build()) {
                TrainingResult r = t.run();
                assertEquals(0.7, r.bestValue());
                assertEquals(0.6, r.lastEval().get("val_accuracy"));
            }
        }
        TrainingState best = TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR));
        assertEquals(2, best.step(), "the highest accuracy was at step 2");
        assertEquals("val_accuracy", best.bestMetric());
        assertEquals(4, TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR)).step());
    }
}
