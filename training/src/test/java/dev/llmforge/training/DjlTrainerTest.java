package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.TrainerTest.Recorder;
import dev.llmforge.training.data.DatasetPreparer;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.EvalMetrics;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on PyTorch through DJL: resuming is exact there too (PyTorch's CPU kernels are deterministic for a fixed thread count). */
class DjlTrainerTest {
    @TempDir
    Path dir;

    @Test
    void aResumedRunGivesExactlyTheLossesOfAnUninterruptedOne() throws Exception {
        Backend djl = Backends.get("djl");
        String text = Files.readString(Path.of(DjlTrainerTest.class.getResource("/nanogpt/head2000.txt").toURI()), StandardCharsets.UTF_8);
        TokenData data = DatasetPreparer.prepare(text, "char", dir.resolve("data"), 0.9, "head2000.txt");
        TrainingConfig config = TrainerTest.tinyTraining().maxIters(10).evalInterval(5).build();

        Recorder straight = new Recorder();
        try (Trainer t = Trainer.builder().backend(djl).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
                .listener(straight).build()) {
            TrainingResult r = t.run();
            assertFalse(r.compiled(), "DJL runs steps eagerly");
            assertTrue(straight.evals.get(2).valLoss() < straight.evals.get(0).valLoss(), "val loss falls: " + straight.evals);
        }

        Path out = dir.resolve("run");
        Recorder first = new Recorder();
        try (Trainer t = Trainer.builder().backend(djl).data(data).model(TrainerTest.tinyModel(data.vocabSize(), 0.1)).config(config)
                .outputDir(out).listener(first).build()) {
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == 7) {
                        t.requestStop();
                    }
                }
            });
            t.run();
        }
        Recorder second = new Recorder();
        try (Trainer t = Trainer.builder().backend(djl).data(TokenData.open(dir.resolve("data"))).resumeFrom(out.resolve(Trainer.LATEST_DIR))
                .outputDir(out).listener(second).build()) {
            t.run();
        }
        List<Double> resumed = new ArrayList<>(first.losses);
        resumed.addAll(second.losses);
        assertEquals(straight.losses, resumed);
        List<EvalMetrics> evals = new ArrayList<>(first.evals);
        evals.addAll(second.evals);
        assertEquals(straight.evals, evals);
    }
}
