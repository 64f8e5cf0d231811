package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.assertResumedExactly;
import static dev.llmforge.training.TrainingFixtures.assertSameParameters;
import static dev.llmforge.training.TrainingFixtures.fileNames;
import static dev.llmforge.training.TrainingFixtures.params;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static dev.llmforge.training.TrainingFixtures.stepLosses;
import static dev.llmforge.training.TrainingFixtures.stopAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.LrSchedule;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.StepMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretrains tiny models on the reference backend (exact, plain Java) for a handful of steps. */
class TrainerTest {
    static final Backend REFERENCE = Backends.get("reference");

    @TempDir
    Path dir;
    TokenData data;

    @BeforeEach
    void prepareData() throws Exception {
        data = preparedShakespeareHead(dir.resolve("data"));
    }

    static GptConfig tinyModel(int vocab, double dropout) {
        return GptConfig.gpt2(vocab, 8, 2, 2, 16).toBuilder().bias(false).dropout(dropout).build();
    }

    static TrainingConfig.Builder tinyTraining() {
        return TrainingConfig.builder().batchSize(4).maxIters(8).learningRate(1e-2).minLr(1e-3).warmupIters(2).lrDecayIters(8)
                .evalInterval(4).evalIters(2).seed(7);
    }

    private Pretraining.Builder trainer(Path out, TrainingConfig config, double dropout) {
        return Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), dropout)).config(config).outputDir(out);
    }

    @Test
    void aResumedRunGivesExactlyTheLossesOfAnUninterruptedOne() throws Exception {
        // dropout and gradient accumulation on, so the saved dropout streams and both generators matter
        TrainingConfig config = tinyTraining().gradAccumSteps(2).build();
        Recorder straight = new Recorder();
        float[][] straightParams;
        try (Trainer t = trainer(dir.resolve("a"), config, 0.1).listener(straight).build()) {
            t.run();
            straightParams = params(t.model());
        }

        Recorder first = new Recorder();
        Path out = dir.resolve("b");
        try (Trainer t = trainer(out, config, 0.1).listener(first).build()) {
            t.addListener(stopAt(t, 3));
            TrainingResult r = t.run();
            assertTrue(r.stoppedEarly());
            assertEquals(3, r.lastStep());
        }
        Recorder second = new Recorder();
        // a new trainer from the checkpoint alone, as a new process would build it
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(TokenData.open(dir.resolve("data")))
                .resumeFrom(out.resolve(Trainer.LATEST_DIR)).outputDir(out).listener(second).build()) {
            assertEquals(3, t.step());
            TrainingResult r = t.run();
            assertEquals(3, r.firstStep());
            assertEquals(8, r.lastStep());
            assertSameParameters(straightParams, params(t.model()));
        }

        assertResumedExactly(straight, first, second);
        assertEquals(straight.losses, stepLosses(out.resolve(Trainer.METRICS_FILE)), "metrics.jsonl continues without gaps or repeats");
    }

    @Test
    void resumingFromAnEvaluationCheckpointAlsoMatches() throws Exception {
        TrainingConfig config = tinyTraining().build();
        Recorder straight = new Recorder();
        try (Trainer t = trainer(dir.resolve("a"), config, 0).listener(straight).build()) {
            t.run();
        }
        Path out = dir.resolve("b");
        try (Trainer t = trainer(out, config.toBuilder().maxIters(4).build(), 0).build()) {
            t.run(); // ends with the evaluation and checkpoint at step 4
        }
        Recorder second = new Recorder();
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).resumeFrom(out.resolve(Trainer.LATEST_DIR)).config(config)
                .outputDir(out).listener(second).build()) {
            t.run();
        }
        assertEquals(straight.losses.subList(4, 8), second.losses);
        assertEquals(straight.evals.get(2), second.evals.get(0));
    }

    @Test
    void checkpointsHoldEveryPartAndTheOutputsAreWritten() throws Exception {
        Path out = dir.resolve("run");
        TrainingResult r;
        try (Trainer t = trainer(out, tinyTraining().build(), 0).build()) {
            r = t.run();
        }
        assertEquals(8, r.lastStep());
        assertEquals(Set.of("model.safetensors", "config.json", "tokenizer.json", "optimizer.safetensors", "trainer.json"),
                fileNames(out.resolve(Trainer.LATEST_DIR)));
        assertEquals(Set.of("model.safetensors", "config.json", "tokenizer.json", "trainer.json"), fileNames(out.resolve(Trainer.BEST_DIR)));
        TrainingState state = TrainingCheckpoint.readState(out.resolve(Trainer.LATEST_DIR));
        assertEquals(8, state.step());
        assertEquals(8L * 4 * 8, state.tokensSeen());
        assertEquals(r.bestValue(), TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR)).bestValue());
        assertEquals(data.tokenizer().vocabSize(), TrainingCheckpoint.tokenizer(out.resolve(Trainer.BEST_DIR)).vocabSize());
        BufferedImage png = ImageIO.read(out.resolve(Trainer.CHART_FILE).toFile());
        assertEquals(900, png.getWidth());
        List<String> lines = Files.readAllLines(out.resolve(Trainer.METRICS_FILE));
        assertEquals(8 + 3, lines.size(), "8 steps and evaluations at 0, 4, 8");
        try (var s = Files.list(out)) {
            assertEquals(Set.of("ckpt", "best", "metrics.jsonl", "loss.png", OutputLock.FILE), s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "no temporary or old directories left");
        }
    }

    @Test
    void aFailedCheckpointWriteLeavesThePreviousCheckpointIntact() throws Exception {
        Path out = dir.resolve("run");
        try (Trainer t = trainer(out, tinyTraining().maxIters(4).build(), 0).build()) {
            t.run();
            Path ckpt = out.resolve(Trainer.LATEST_DIR);
            var before = contents(ckpt);
            t.model().parameter("wte.weight").replaceWith(Tensor.on(REFERENCE).full(t.model().parameter("wte.weight").shape(), 0.5, DType.F32));
            var failing = new Optimizer(t.model().namedParameters(), 0.1) {
                @Override
                public void step() {
                }

                @Override
                public Map<String, Tensor> stateTensors() {
                    // reached after model.safetensors, config.json and tokenizer.json were written
                    throw new IllegalStateException("disk full (injected)");
                }

                @Override
                public void loadState(Map<String, Tensor> state, long stepCount) {
                }

                @Override
                public void close() {
                }
            };
            var e = assertThrows(IllegalStateException.class, () -> TrainingCheckpoint.write(ckpt, t.models(),
                    List.of(new NamedOptimizer(Trainer.DEFAULT_OPTIMIZER, failing, LrSchedule.constant(0.1))), "{}", t.state()));
            assertEquals("disk full (injected)", e.getMessage());
            assertEquals(before.keySet(), contents(ckpt).keySet());
            before.forEach((name, bytes) -> assertArrayEquals(bytes, contentsUnchecked(ckpt).get(name), name + " unchanged"));
            try (var s = Files.list(out)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".ckpt.")).toList(), "temporary directory removed");
            }
        }
        // and the untouched checkpoint still resumes
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).resumeFrom(out.resolve(Trainer.LATEST_DIR)).build()) {
            assertEquals(4, t.step());
        }
    }

    @Test
    void theCheckpointMovedAsideByAnInterruptedSwapIsFound() throws Exception {
        Path out = dir.resolve("run");
        try (Trainer t = trainer(out, tinyTraining().maxIters(4).build(), 0).build()) {
            t.run();
        }
        Path aside = out.resolve(".ckpt.old-123");
        Files.move(out.resolve(Trainer.LATEST_DIR), aside);
        assertEquals(aside, TrainingCheckpoint.resumable(out.resolve(Trainer.LATEST_DIR)).toAbsolutePath());
        Files.move(aside, dir.resolve("elsewhere"));
        assertThrows(IOException.class, () -> TrainingCheckpoint.resumable(out.resolve(Trainer.LATEST_DIR)));
    }

    @Test
    void lossFallsAndTheScheduleIsNanoGpts() throws Exception {
        TrainingConfig config = tinyTraining().maxIters(40).lrDecayIters(40).warmupIters(5).evalInterval(20).evalIters(4).build();
        Recorder r = new Recorder();
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0)).config(config).listener(r).build()) {
            t.run();
        }
        double first = r.evals.get(0).get("train_loss");
        double last = r.evals.get(r.evals.size() - 1).get("train_loss");
        assertEquals(Math.log(data.vocabSize()), first, 0.3, "an untrained model is near uniform");
        assertTrue(last < first - 0.5, "train loss " + first + " -> " + last);
        LrSchedule expected = LrSchedule.warmupCosine(1e-2, 1e-3, 5, 40);
        for (StepMetrics m : r.steps) {
            assertEquals(expected.at(m.step() - 1), m.learningRate(), 1e-15, "lr of step " + m.step());
            assertTrue(m.gradNorm() > 0 && m.tokensPerSecond() > 0);
        }
    }

    @Test
    void gradientAccumulationMatchesOneBigBatch() throws Exception {
        // 2 micro-batches of 2 windows draw the same windows as 1 batch of 4: same mean loss and update
        TrainingConfig accumulated = tinyTraining().batchSize(2).gradAccumSteps(2).maxIters(5).evalAtStart(false).evalInterval(100).build();
        TrainingConfig big = accumulated.toBuilder().batchSize(4).gradAccumSteps(1).build();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0)).config(accumulated).listener(a).build()) {
            t.run();
        }
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0)).config(big).listener(b).build()) {
            t.run();
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(b.losses.get(i), a.losses.get(i), 1e-5, "step " + (i + 1));
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheStep() throws Exception {
        try (Gpt model = new Gpt(tinyModel(data.vocabSize(), 0), REFERENCE, 1)) {
            poison(model);
            try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(model).config(tinyTraining().evalAtStart(false).build()).build()) {
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class, t::run);
                assertEquals(1, e.step());
                assertTrue(e.getMessage().startsWith("training stopped at step 1: loss is NaN"), e.getMessage());
            }
        }
    }

    @Test
    void skipLeavesNonFiniteStepsOut() throws Exception {
        try (Gpt model = new Gpt(tinyModel(data.vocabSize(), 0), REFERENCE, 1)) {
            poison(model);
            float[] normBefore = model.parameter("ln_f.weight").toFloatArray();
            TrainingConfig config = tinyTraining().maxIters(3).evalAtStart(false).onNonFinite(TrainingConfig.NonFinitePolicy.SKIP).build();
            try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(model).config(config).build()) {
                TrainingResult r = t.run();
                assertEquals(3, r.skippedSteps());
                assertEquals(3, r.lastStep());
                assertEquals(0, t.optimizer().stepCount(), "no update was applied");
            }
            assertArrayEquals(normBefore, model.parameter("ln_f.weight").toFloatArray());
        }
    }

    private static void poison(Gpt model) {
        Tensor w = model.parameter("wte.weight");
        w.replaceWith(Tensor.on(REFERENCE).full(w.shape(), Double.NaN, DType.F32));
    }

    @Test
    void badCombinationsAreRefusedWithClearMessages() throws Exception {
        var vocab = assertThrows(IllegalArgumentException.class,
                () -> Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(100, 0)).build());
        assertTrue(vocab.getMessage().contains("vocabulary mismatch: the model has 100 tokens"), vocab.getMessage());

        Path out = dir.resolve("run");
        try (Trainer t = trainer(out, tinyTraining().maxIters(4).build(), 0).build()) {
            t.run();
        }
        var replace = assertThrows(IllegalStateException.class, () -> trainer(out, tinyTraining().build(), 0).build());
        assertTrue(replace.getMessage().contains("already holds a checkpoint (step 4)"), replace.getMessage());
        try (Trainer t = trainer(out, tinyTraining().build(), 0).overwrite(true).build()) {
            assertEquals(0, t.step());
            assertFalse(Files.exists(out.resolve(Trainer.LATEST_DIR)), "the earlier run's checkpoints are gone");
            t.run();
        }

        var best = assertThrows(IllegalArgumentException.class,
                () -> Pretraining.builder().backend(REFERENCE).data(data).resumeFrom(out.resolve(Trainer.BEST_DIR)).build());
        assertTrue(best.getMessage().contains("has no optimizer state"), best.getMessage());

        // same vocabulary size, different characters
        StringBuilder shifted = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            shifted.append((char) ('!' + i % data.vocabSize()));
        }
        TokenData other = DatasetPreparer.prepare(shifted.toString(), "char", dir.resolve("other"), 0.9, "shifted");
        assertEquals(data.vocabSize(), other.vocabSize());
        var tokenizer = assertThrows(IllegalArgumentException.class,
                () -> Pretraining.builder().backend(REFERENCE).data(other).resumeFrom(out.resolve(Trainer.LATEST_DIR)).build());
        assertTrue(tokenizer.getMessage().contains("tokenizer mismatch"), tokenizer.getMessage());
    }

    @Test
    void theBestCheckpointLoadsForGeneration() throws Exception {
        Path out = dir.resolve("run");
        float[] trained;
        Recorder rec = new Recorder();
        try (Trainer t = trainer(out, tinyTraining().build(), 0).listener(rec).build()) {
            TrainingResult r = t.run();
            double lowest = rec.evals.stream().filter(e -> e.step() > 0).mapToDouble(e -> e.get("val_loss")).min().orElseThrow();
            assertEquals(lowest, r.bestValue());
            assertEquals(lowest, TrainingCheckpoint.readState(out.resolve(Trainer.BEST_DIR)).bestValue());
            trained = t.model().parameter("wte.weight").toFloatArray();
        }
        try (Gpt loaded = Checkpoint.loadModel(out.resolve(Trainer.LATEST_DIR), Tensor.on(REFERENCE))) {
            assertArrayEquals(trained, loaded.parameter("wte.weight").toFloatArray());
        }
    }

    // ---- helpers ----

    private static Map<String, byte[]> contents(Path d) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static Map<String, byte[]> contentsUnchecked(Path d) {
        try {
            return contents(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
