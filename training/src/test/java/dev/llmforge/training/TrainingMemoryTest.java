package dev.llmforge.training;

import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.GptConfig;
import dev.llmforge.model.InsufficientMemoryException;
import dev.llmforge.training.data.TokenData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingMemoryTest {
    @TempDir
    Path dir;

    @Test
    void theBabyGptOnTheReferenceBackend() {
        // 804,096 parameters: per layer 2 LayerNorms of 128 (no bias), attention 4·128², MLP 8·128²; wte 65·128, wpe 64·128, ln_f 128
        TrainingMemory m = TrainingMemory.estimate(GptConfig.shakespeareChar(65), TrainingConfig.nanoGptShakespeareChar(), TrainerTest.REFERENCE);
        assertEquals(804_096L * 8, m.modelBytes(), "the reference backend holds doubles");
        assertEquals(3 * 804_096L * 8, m.optimizerBytes());
        // B·T = 12·64 = 768; per layer 768·(4·128 + 512) + 12·4·64² = 983,040; 4 layers + logits 768·65
        assertEquals((4 * 983_040L + 768 * 65) * 8, m.activationBytes());
        assertTrue(m.describe().startsWith("model 6.1 MiB + gradients and AdamW moments 18.4 MiB + activations at least 30.4 MiB"),
                m.describe());
    }

    @Test
    void aContextTooLargeForMemoryIsRefusedBeforeTheModelIsBuilt() throws Exception {
        TokenData data = preparedShakespeareHead(dir.resolve("data"));
        Path out = dir.resolve("out");
        GptConfig model = TrainerTest.tinyModel(data.vocabSize(), 0).toBuilder().blockSize(1_000_000).build();
        InsufficientMemoryException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(InsufficientMemoryException.class,
                () -> Pretraining.builder().backend(TrainerTest.REFERENCE).data(data).model(model).config(TrainerTest.tinyTraining().build())
                        .outputDir(out).build()));
        assertTrue(e.getMessage().startsWith("pretraining (model ") && e.getMessage().contains("free in the Java heap")
                && e.getMessage().contains("lower --block-size or --batch-size"), e.getMessage());
        assertFalse(Files.exists(out.resolve(Trainer.LATEST_DIR)), "nothing written");
    }
}
