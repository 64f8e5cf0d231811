package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.assertResumedExactly;
import static dev.llmforge.training.TrainingFixtures.assertSameParameters;
import static dev.llmforge.training.TrainingFixtures.fileNames;
import static dev.llmforge.training.TrainingFixtures.params;
import static dev.llmforge.training.TrainingFixtures.stopAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.functional.F;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.LrSchedule;
import dev.llmforge.optim.Sgd;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TensorBatch;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.data.WindowSource;
import dev.llmforge.training.metrics.JsonLinesMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with a trained student and a frozen teacher (sharing nothing), two optimisers over the
 * student's parameter groups (AdamW and SGD, each with its own schedule), and an objective that
 * makes two updates per step (as PPO's epochs do) and records a value of its own.
 */
class SeveralModelsTest {
    static final Backend REFERENCE = Backends.get("reference");

    @TempDir
    Path dir;
    TokenData data;

    @BeforeEach
    void prepareData() throws Exception {
        data = TrainingFixtures.preparedShakespeareHead(dir.resolve("data"));
    }

    /** Next-token loss of the student plus a pull towards the frozen teacher's logits; two updates per step. */
    static final class Distillation implements Objective {
        private final Gpt student;
        private final Gpt teacher;

        Distillation(Gpt student, Gpt teacher) {
            this.student = student;
            this.teacher = teacher;
        }

        @Override
        @SuppressWarnings("try")
        public Loss compute(TensorBatch batch) {
            Tensor ids = batch.get(Batch.IDS);
            Gpt.Output out = student.forward(ids, batch.get(Batch.TARGETS), F.IGNORE_INDEX);
            Tensor teacherLogits;
            try (GradMode.Restore ignored = GradMode.noGrad()) {
                teacherLogits = teacher.logits(ids);
            }
            Tensor distill = out.logits().sub(teacherLogits).square().mean();
            return Loss.of(out.loss().add(distill.mul(0.1))).metric("ce", out.loss()).metric("distill", distill);
        }

        @Override
        public void step(StepContext step) {
            List<TensorBatch> batches = step.upload(step.nextBatches());
            step.update(batches);
            Map<String, Double> second = step.update(batches); // a second epoch over the same micro-batches
            step.record("second_update_loss", second.get("loss"));
        }
    }

    private Gpt model(long seed) {
        return new Gpt(GptConfig.gpt2(data.vocabSize(), 8, 2, 2, 16).toBuilder().bias(false).dropout(0.1).build(), REFERENCE, seed);
    }

    private static Map<String, Tensor> group(Gpt model, boolean blocks) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, t) -> {
            if (name.startsWith("h.") == blocks) {
                out.put(name, t);
            }
        });
        return out;
    }

    private Trainer.Builder trainer(Gpt student, Gpt teacher, Path out) {
        TrainingConfig config = TrainingConfig.builder().batchSize(4).gradAccumSteps(2).maxIters(6).evalInterval(3).evalIters(2).build();
        return Trainer.builder().backend(REFERENCE).config(config).model("student", student).frozenModel("teacher", teacher)
                .objective(new Distillation(student, teacher))
                .optimizer("blocks", AdamW.builder(group(student, true)).lr(1e-2).build(), LrSchedule.warmupCosine(1e-2, 1e-3, 2, 6))
                .optimizer("embeddings", new Sgd(group(student, false), 0.05, 0.9, 0), LrSchedule.constant(0.05))
                .trainSource(new WindowSource(data.train(), 4, 8, new Rng(1)))
                .evalSource("val", new WindowSource(data.val(), 4, 8, new Rng(2)))
                .outputDir(out);
    }

    @Test
    void twoModelsAndTwoOptimizersCheckpointAndResumeExactly() throws Exception {
        Recorder straight = new Recorder();
        float[][] straightStudent;
        float[][] teacherBefore;
        try (Gpt student = model(1); Gpt teacher = model(2)) {
            teacherBefore = params(teacher);
            try (Trainer t = trainer(student, teacher, dir.resolve("a")).listener(straight).build()) {
                t.run();
                assertEquals(12, t.optimizers().get(0).optimizer().stepCount(), "two updates per step");
                assertEquals(12, t.optimizers().get(1).optimizer().stepCount());
                for (Tensor p : teacher.parameters()) {
                    assertNull(p.grad(), "the frozen model gets no gradients");
                    assertTrue(!p.requiresGrad());
                }
            }
            straightStudent = params(student);
            assertSameParameters(teacherBefore, params(teacher));
            assertTrue(teacher.parameters().get(0).requiresGrad(), "closing the trainer gives the frozen parameters their gradients back");
        }
        StepMetrics first = straight.steps.get(0);
        assertEquals(List.of("loss", "ce", "distill", "second_update_loss"), List.copyOf(first.metrics().keySet()));
        assertEquals(List.of("lr", "lr_embeddings"), List.copyOf(first.learningRates().keySet()));
        assertEquals(List.of("grad_norm", "grad_norm_embeddings"), List.copyOf(first.gradNorms().keySet()));
        assertEquals(0.05, first.learningRates().get("lr_embeddings"));
        assertEquals(LrSchedule.warmupCosine(1e-2, 1e-3, 2, 6).at(0), first.learningRate());

        Path out = dir.resolve("b");
        Recorder before = new Recorder();
        try (Gpt student = model(1); Gpt teacher = model(2); Trainer t = trainer(student, teacher, out).listener(before).build()) {
            t.addListener(stopAt(t, 2));
            t.run();
        }
        assertEquals(Set.of("model.safetensors", "config.json", "model.teacher.safetensors", "config.teacher.json", "optimizer.safetensors",
                "optimizer.embeddings.safetensors", "trainer.json"), fileNames(out.resolve(Trainer.LATEST_DIR)));
        Recorder after = new Recorder();
        // a new process: other initial weights everywhere; the checkpoint restores both models
        try (Gpt student = model(7); Gpt teacher = model(8);
             Trainer t = trainer(student, teacher, out).resumeFrom(out.resolve(Trainer.LATEST_DIR)).listener(after).build()) {
            t.run();
            assertSameParameters(straightStudent, params(student));
            assertSameParameters(teacherBefore, params(teacher));
        }
        assertResumedExactly(straight, before, after);
        // the primary model is a plain model checkpoint
        try (Gpt loaded = Checkpoint.loadModel(out.resolve(Trainer.BEST_DIR), Tensor.on(REFERENCE))) {
            assertEquals(data.vocabSize(), loaded.config().vocabSize());
        }
    }

    @Test
    void metricsFileHoldsEverySeries() throws Exception {
        Path out = dir.resolve("run");
        try (Gpt student = model(1); Gpt teacher = model(2); Trainer t = trainer(student, teacher, out).build()) {
            t.run();
        }
        JsonNode first = JsonLinesMetrics.read(out.resolve(Trainer.METRICS_FILE)).stream().filter(n -> n.get("type").asText().equals("step"))
                .findFirst().orElseThrow();
        for (String key : List.of("loss", "ce", "distill", "second_update_loss", "lr", "lr_embeddings", "grad_norm", "grad_norm_embeddings")) {
            assertTrue(first.get(key).isNumber(), key + " in " + first);
        }
    }

    @Test
    void modelsAndOptimizersThatDoNotFitAreRefused() throws Exception {
        try (Gpt student = model(1); Gpt teacher = model(2)) {
            var shared = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().backend(REFERENCE).model("student", student)
                    .frozenModel("copy", student).objective(new Distillation(student, teacher)).build());
            assertTrue(shared.getMessage().contains("frozen model 'copy' shares its parameter wte.weight with the trained parameter student's"),
                    shared.getMessage());

            var frozenUpdated = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().backend(REFERENCE)
                    .model("student", student).frozenModel("teacher", teacher).objective(new Distillation(student, teacher))
                    .optimizer("all", AdamW.builder(student.namedParameters()).build(), LrSchedule.constant(1e-3))
                    .optimizer("teacher", new Sgd(teacher.namedParameters(), 0.1), LrSchedule.constant(0.1)).build());
            assertTrue(frozenUpdated.getMessage().contains("optimizer 'teacher' updates wte.weight, which is no trained parameter"),
                    frozenUpdated.getMessage());

            var uncovered = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().backend(REFERENCE).model("student", student)
                    .objective(new Distillation(student, teacher))
                    .optimizer("blocks", new Sgd(group(student, true), 0.1), LrSchedule.constant(0.1)).build());
            assertTrue(uncovered.getMessage().contains("the trained parameter wte.weight has no optimizer"), uncovered.getMessage());
            assertTrue(teacher.parameters().get(0).requiresGrad() && student.parameters().get(0).requiresGrad(),
                    "a refused trainer leaves the models as they were");
        }
        Path out = dir.resolve("run");
        try (Gpt student = model(1); Gpt teacher = model(2); Trainer t = trainer(student, teacher, out).build()) {
            t.addListener(stopAt(t, 1));
            t.run();
        }
        try (Gpt student = model(1)) {
            var other = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().backend(REFERENCE).model("student", student)
                    .objective(new Distillation(student, student)).trainSource(new WindowSource(data.train(), 4, 8, new Rng(1)))
                    .evalSource("val", new WindowSource(data.val(), 4, 8, new Rng(2))).resumeFrom(out.resolve(Trainer.LATEST_DIR)).build());
            assertTrue(other.getMessage().contains("holds the models [student, teacher], this run has [student]"), other.getMessage());
        }
    }

    @Test
    void frozenModelsMayShareWeightsWithEachOther() throws Exception {
        try (Gpt student = model(1); Gpt teacher = model(2)) {
            float[] before = teacher.parameter("wte.weight").toFloatArray();
            try (Trainer t = Trainer.builder().backend(REFERENCE).config(TrainingConfig.builder().batchSize(4).maxIters(1).evalAtStart(false)
                    .build()).model("student", student).frozenModel("teacher", teacher).frozenModel("same_teacher", teacher)
                    .objective(new Distillation(student, teacher)).trainSource(new WindowSource(data.train(), 4, 8, new Rng(1))).build()) {
                t.run();
            }
            assertArrayEquals(before, teacher.parameter("wte.weight").toFloatArray());
        }
    }
}
