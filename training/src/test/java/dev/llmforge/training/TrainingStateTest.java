package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingStateTest {
    @Test
    void everyPartSurvivesTheJsonForm() throws Exception {
        Map<String, TrainingState.ModelState> models = new LinkedHashMap<>();
        models.put("policy", new TrainingState.ModelState(false, new long[] {1, -2}));
        models.put("reference", new TrainingState.ModelState(true, new long[] {3}));
        TrainingState s = new TrainingState(12, 3456, "val_accuracy", 0.75, 9.5, models, List.of("policy", "value"),
                Map.of("train", Map.of("epoch", 2L, "position", 7L), "eval.val", Map.of("rng", -9L)), Map.of("sampler", 42L),
                TrainingConfig.builder().batchSize(3).seed(8).build(), Map.of("directory", "/data"), Map.of("policy", 12L, "value", 6L));
        TrainingState read = TrainingState.fromJson(s.toJson(), "trainer.json");
        assertEquals(List.of("policy", "reference"), List.copyOf(read.models().keySet()), "the primary model first");
        assertTrue(read.models().get("reference").frozen());
        assertArrayEquals(new long[] {1, -2}, read.models().get("policy").randomState());
        assertEquals(s.optimizers(), read.optimizers());
        assertEquals(s.optimizerSteps(), read.optimizerSteps());
        assertEquals(s.sources(), read.sources());
        assertEquals(s.objectiveState(), read.objectiveState());
        assertEquals(s.config(), read.config());
        assertEquals("val_accuracy", read.bestMetric());
        assertEquals(0.75, read.bestValue());
        assertEquals(12, read.step());
        String json = new String(s.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"weights\" : \"model.reference.safetensors\"") && json.contains("\"state\" : \"optimizer.value.safetensors\""),
                json);
    }

    @Test
    void theSingleModelFormOfEarlierVersionsIsRead() throws Exception {
        String old = """
                {"format": "llmforge-trainer", "step": 1500, "tokens_seen": 1152000, "best_val_loss": 1.989316177368164,
                 "elapsed_seconds": 984.9,
                 "rng": {"train": -7161072199270010649, "eval": -7485648167089539083, "model": [25214903124, -2338, 2337]},
                 "data": {"directory": "/tmp/run", "train_tokens": 1003854, "val_tokens": 111540},
                 "training_config": {"batch-size": 12, "max-iters": 2000, "seed": 1337}}""";
        TrainingState s = TrainingState.fromJson(old.getBytes(StandardCharsets.UTF_8), "trainer.json");
        assertEquals(Map.of("rng", -7161072199270010649L), s.sources().get("train"));
        assertEquals(Map.of("rng", -7485648167089539083L), s.sources().get("eval.train"));
        assertEquals(Map.of("rng", -7485648167089539083L), s.sources().get("eval.val"));
        assertArrayEquals(new long[] {25214903124L, -2338, 2337}, s.models().get("model").randomState());
        assertEquals(List.of("optimizer"), s.optimizers());
        assertEquals("val_loss", s.bestMetric());
        assertEquals(1.989316177368164, s.bestValue());
        assertEquals("1003854", s.data().get("train_tokens"));
        assertEquals(12, s.config().batchSize());
    }

    @Test
    void badFilesAreRefusedNamingWhatIsWrong() {
        IOException format = assertThrows(IOException.class, () -> TrainingState.fromJson("{\"format\": \"x\"}".getBytes(StandardCharsets.UTF_8),
                "ckpt/trainer.json"));
        assertEquals("ckpt/trainer.json: expected \"format\": \"llmforge-trainer\", found \"x\"", format.getMessage());
        IOException step = assertThrows(IOException.class, () -> TrainingState.fromJson(
                "{\"format\": \"llmforge-trainer\", \"version\": 2, \"step\": \"many\"}".getBytes(StandardCharsets.UTF_8), "t.json"));
        assertEquals("t.json: needs an integer 'step', found \"many\"", step.getMessage());
        IOException rng = assertThrows(IOException.class, () -> TrainingState.fromJson(("{\"format\": \"llmforge-trainer\", \"version\": 2, "
                + "\"step\": 1, \"tokens_seen\": 2, \"models\": {\"model\": {\"rng\": 5}}}").getBytes(StandardCharsets.UTF_8), "t.json"));
        assertEquals("t.json models.model.rng must be an array of integers, found 5", rng.getMessage());
    }
}
