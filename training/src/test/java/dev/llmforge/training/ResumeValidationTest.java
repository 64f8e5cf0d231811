package dev.llmforge.training;

import static dev.llmforge.training.TrainerTest.REFERENCE;
import static dev.llmforge.training.TrainerTest.tinyModel;
import static dev.llmforge.training.TrainerTest.tinyTraining;
import static dev.llmforge.training.TrainingFixtures.preparedShakespeareHead;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmforge.io.Checkpoint;
import dev.llmforge.io.SafeTensorsWriter;
import dev.llmforge.training.data.TokenData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint whose parts do not fit together, or data that is not the run's, is refused naming the file and the key. */
class ResumeValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path out;
    Path ckpt;

    @BeforeEach
    void trainFourSteps() throws Exception {
        TokenData data = preparedShakespeareHead(dir.resolve("data"));
        out = dir.resolve("run");
        ckpt = out.resolve(Trainer.LATEST_DIR);
        try (Trainer t = Pretraining.builder().backend(REFERENCE).data(data).model(tinyModel(data.vocabSize(), 0))
                .config(tinyTraining().maxIters(4).build()).outputDir(out).build()) {
            t.run();
        }
    }

    private Exception resumeFailure(Path dataDir) {
        return assertThrows(Exception.class, () -> {
            try (Trainer t = Pretraining.builder().backend(REFERENCE).data(TokenData.open(dataDir)).resumeFrom(ckpt).outputDir(out).build()) {
                t.run();
            }
        });
    }

    private void assertRefused(String... parts) {
        Exception e = resumeFailure(dir.resolve("data"));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e);
        }
    }

    private void editState(Consumer<ObjectNode> edit) throws IOException {
        Path file = ckpt.resolve(TrainingCheckpoint.STATE_FILE);
        ObjectNode n = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(n);
        Files.write(file, JSON.writeValueAsBytes(n));
    }

    @Test
    void anOptimizerFileWithoutMomentsIsRefused() throws Exception {
        SafeTensorsWriter.write(ckpt.resolve(Checkpoint.OPTIMIZER), Map.of(), Map.of("step", "4", "lr", "0.001"), null);
        assertRefused(ckpt.resolve(Checkpoint.OPTIMIZER).toString(), "AdamW state at step 4 holds no moments");
    }

    @Test
    void missingKeysOfTheStateAreRefused() throws Exception {
        editState(n -> ((ObjectNode) n.get("training_config")).remove("lr"));
        assertRefused(ckpt.resolve("trainer.json") + ": training_config has no 'lr'");
        editState(n -> n.remove("sources"));
        assertRefused(ckpt.resolve("trainer.json") + ": has no 'sources'");
    }

    @Test
    void aNegativeStepIsRefused() throws Exception {
        editState(n -> n.put("step", -3));
        assertRefused("trainer.json: 'step' must be 0 or more, found -3");
    }

    @Test
    void anOptimizerStepOtherThanTheStatesIsRefused() throws Exception {
        editState(n -> ((ObjectNode) n.get("optimizers").get(Trainer.DEFAULT_OPTIMIZER)).put("step", 3));
        assertRefused(ckpt.resolve(Checkpoint.OPTIMIZER) + " holds step 4, but trainer.json records step 3 for optimizer '" + Trainer.DEFAULT_OPTIMIZER + "'",
                "different saves");
    }

    @Test
    void dataOfTheSameSizeWithOtherTokensIsRefused() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other-data"));
        try (var files = Files.list(dir.resolve("data"))) {
            for (Path f : files.toList()) {
                Files.copy(f, other.resolve(f.getFileName()));
            }
        }
        byte[] train = Files.readAllBytes(other.resolve(TokenData.TRAIN_FILE));
        byte first = train[0];
        train[0] = train[2]; // swap the first two uint16 tokens: same size, same vocabulary
        train[2] = first;
        Files.write(other.resolve(TokenData.TRAIN_FILE), train);
        Exception e = resumeFailure(other);
        assertTrue(e.getMessage().contains("trainer.json data.train_crc32c records") && e.getMessage().contains(other.resolve("train.bin")
                .toString()) && e.getMessage().contains("same size, other tokens"), e.toString());
    }
}
