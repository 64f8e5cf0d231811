package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.assertResumedExactly;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.TrainingFixtures.Recorder;
import dev.llmforge.training.data.TokenData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on PyTorch through DJL: resuming is exact there too (PyTorch's CPU kernels are deterministic for a fixed thread count). */
class DjlTrainerTest {
    @TempDir
    Path dir;

    @Test
    void aResumedRunGivesExactlyTheLossesOfAnUninterruptedOne() throws Exception {
        Backend djl = Backends.get("djl");
        TokenData data = TrainingFixtures.preparedShakespeareHead(dir.resolve("data"));
        TrainingConfig config = TrainerTest.tinyTraining().maxIters(10).evalInterval(5).build();

        Recorder straight = new Recorder();
        try (Trainer t = Pretraining.builder().backend(djl).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
                .listener(straight).build()) {
            TrainingResult r = t.run();
            assertFalse(r.compiled(), "DJL runs steps eagerly");
            assertTrue(straight.evals.get(2).get("val_loss") < straight.evals.get(0).get("val_loss"), "val loss falls: " + straight.evals);
        }

        Path out = dir.resolve("run");
        Recorder first = new Recorder();
        try (Trainer t = Pretraining.builder().backend(djl).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
                .outputDir(out).listener(first).build()) {
            t.addListener(TrainingFixtures.stopAt(t, 7));
            t.run();
        }
        Recorder second = new Recorder();
        try (Trainer t = Pretraining.builder().backend(djl).data(TokenData.open(dir.resolve("data"))).resumeFrom(out.resolve(Trainer.LATEST_DIR))
                .outputDir(out).listener(second).build()) {
            t.run();
        }
        assertResumedExactly(straight, first, second);
    }
}
