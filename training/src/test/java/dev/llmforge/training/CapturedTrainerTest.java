package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.Gpt;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.TrainerTest.Recorder;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's step run as a compiled graph (TensorFlow, {@code Backend.capture()}) gives the losses
 * of the same step run eagerly on the same backend, with gradient accumulation, clipping, dropout
 * and evaluation.
 */
class CapturedTrainerTest {
    static final Backend TF = Backends.get("tensorflow");

    @TempDir
    Path dir;
    TokenData data;

    @BeforeEach
    void prepareData() throws Exception {
        String text = Files.readString(Path.of(CapturedTrainerTest.class.getResource("/nanogpt/head2000.txt").toURI()), StandardCharsets.UTF_8);
        data = DatasetPreparer.prepare(text, "char", dir.resolve("data"), 0.9, "head2000.txt");
    }

    private Recorder train(TrainingConfig config, boolean expectCaptured) throws Exception {
        Recorder r = new Recorder();
        try (Trainer t = Trainer.builder().backend(TF).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
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
            assertEquals(eager.evals.get(i).valLoss(), compiled.evals.get(i).valLoss(), 1e-5, "evaluation " + i);
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
            try (Trainer t = Trainer.builder().backend(TF).data(data).model(model).config(config).build()) {
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
}
