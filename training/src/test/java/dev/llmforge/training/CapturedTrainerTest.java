package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.PaddedRecordSource;
import dev.llmforge.training.data.PaddedRecordSource.Record;
import dev.llmforge.training.data.TokenData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's step run as a compiled graph (TensorFlow, {@code Backend.capture()}) gives the losses
 * of the same step run eagerly on the same backend, with gradient accumulation, clipping, dropout
 * and evaluation, for pretraining and for a custom objective with masks and metrics.
 */
class CapturedTrainerTest {
    static final Backend TF = Backends.get("tensorflow");

    @TempDir
    Path dir;
    TokenData data;

    @BeforeEach
    void prepareData() throws Exception {
        data = TrainingFixtures.preparedShakespeareHead(dir.resolve("data"));
    }

    private Recorder train(TrainingConfig config, boolean expectCaptured) throws Exception {
        Recorder r = new Recorder();
        try (Trainer t = Pretraining.builder().backend(TF).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
                .listener(r).build()) {
            TrainingResult result = t.run();
            assertEquals(expectCaptured, result.compiled());
        }
        return r;
    }

    @Test
    void compiledStepsGiveTheEagerLosses() throws Exception {
        TrainingConfig config = TrainerTest.tinyTraining().gradAccumSteps(2).maxIters(6).evalInterval(3).build();
        Recorder eager = train(config.toBuilder().compile(false).build(), false);
        Recorder compiled = train(config, true);
        for (int i = 0; i < eager.losses.size(); i++) {
            assertEquals(eager.losses.get(i), compiled.losses.get(i), 1e-5, "step " + (i + 1));
        }
        for (int i = 0; i < eager.evals.size(); i++) {
            assertEquals(eager.evals.get(i).get("val_loss"), compiled.evals.get(i).get("val_loss"), 1e-5, "evaluation " + i);
        }
    }

    @Test
    void skippingNonFiniteStepsWorksInsideACompiledStep() throws Exception {
        // SKIP reads the loss in the middle of the step: capture runs the step in two segments
        try (Gpt model = new Gpt(TrainerTest.tinyModel(data.vocabSize(), 0), TF, 1)) {
            Tensor w = model.parameter("wte.weight");
            w.replaceWith(Tensor.on(TF).full(w.shape(), Double.NaN, DType.F32));
            float[] before = model.parameter("ln_f.weight").toFloatArray();
            TrainingConfig config = TrainerTest.tinyTraining().maxIters(2).evalAtStart(false)
                    .onNonFinite(TrainingConfig.NonFinitePolicy.SKIP).build();
            try (Trainer t = Pretraining.builder().backend(TF).data(data).model(model).config(config).build()) {
                TrainingResult r = t.run();
                assertTrue(r.compiled());
                assertEquals(2, r.skippedSteps());
                assertEquals(0, t.optimizer().stepCount());
            }
            assertArrayEquals(before, model.parameter("ln_f.weight").toFloatArray());
        }
    }

    @Test
    void readingTheLossInsideACompiledStepChangesNothing() throws Exception {
        // with finite losses, SKIP (host read before the update, a second segment) trains as STOP does
        TrainingConfig stop = TrainerTest.tinyTraining().maxIters(4).evalInterval(4).build();
        Recorder a = train(stop, true);
        Recorder b = train(stop.toBuilder().onNonFinite(TrainingConfig.NonFinitePolicy.SKIP).build(), true);
        for (int i = 0; i < a.losses.size(); i++) {
            assertEquals(a.losses.get(i), b.losses.get(i), 1e-6, "step " + (i + 1));
        }
    }

    @Test
    void aCustomObjectiveWithMasksAndMetricsIsCapturedToo() throws Exception {
        List<Record> records = CustomObjectiveTest.lineRecords(TrainingFixtures.shakespeareHead(), data.tokenizer(), 24);
        TrainingConfig config = TrainerTest.tinyTraining().gradAccumSteps(2).maxIters(4).evalInterval(2).build();
        Recorder eager = trainRecords(records, config.toBuilder().compile(false).build(), false);
        Recorder compiled = trainRecords(records, config, true);
        for (int i = 0; i < eager.steps.size(); i++) {
            assertEquals(eager.losses.get(i), compiled.losses.get(i), 1e-5, "step " + (i + 1));
            assertEquals(eager.steps.get(i).metrics().get("targets"), compiled.steps.get(i).metrics().get("targets"), "step " + (i + 1));
            assertEquals(eager.steps.get(i).gradNorm(), compiled.steps.get(i).gradNorm(), 1e-4, "step " + (i + 1));
        }
        for (int i = 0; i < eager.evals.size(); i++) {
            assertEquals(eager.evals.get(i).get("val_loss"), compiled.evals.get(i).get("val_loss"), 1e-5, "evaluation " + i);
        }
    }

    private Recorder trainRecords(List<Record> records, TrainingConfig config, boolean expectCaptured) throws Exception {
        Recorder r = new Recorder();
        long pad = data.tokenizer().encode("\n")[0];
        try (Gpt model = new Gpt(GptConfig.gpt2(data.vocabSize(), CustomObjectiveTest.LENGTH, 2, 2, 16).toBuilder().bias(false).build(), TF, 3);
             Trainer t = Trainer.builder().backend(TF).config(config).model("model", model)
                     .objective(new CustomObjectiveTest.MaskedNextToken(model))
                     .trainSource(PaddedRecordSource.builder(records.subList(0, 16)).batchSize(4).length(CustomObjectiveTest.LENGTH).padId(pad)
                             .shuffle(1).build())
                     .evalSource("val", PaddedRecordSource.builder(records.subList(16, 24)).batchSize(4).length(CustomObjectiveTest.LENGTH)
                             .padId(pad).build())
                     .listener(r).build()) {
            assertEquals(expectCaptured, t.run().compiled());
        }
        return r;
    }
}
