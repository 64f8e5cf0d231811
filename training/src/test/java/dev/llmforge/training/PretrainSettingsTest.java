package dev.llmforge.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.model.GptConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainSettingsTest {
    @TempDir
    Path dir;

    @Test
    void acceptsCommandLineNanoGptAndCamelCaseSpellings() {
        assertEquals("n-layer", PretrainSettings.canonical("n_layer"));
        assertEquals("n-layer", PretrainSettings.canonical("nLayer"));
        assertEquals("lr", PretrainSettings.canonical("learning_rate"));
        assertEquals("grad-accum", PretrainSettings.canonical("gradient_accumulation_steps"));
        assertEquals(null, PretrainSettings.canonical("wandb_log"));
    }

    @Test
    void appliesSettingsToBothBuilders() {
        GptConfig.Builder model = GptConfig.shakespeareChar(65).toBuilder();
        TrainingConfig.Builder training = TrainingConfig.builder();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("n_layer", "6");
        s.put("n-embd", "192");
        s.put("learning_rate", "6e-4");
        s.put("on-nan", "skip");
        s.put("compile", "false");
        PretrainSettings.apply(s, "test", model, training);
        GptConfig m = model.build();
        TrainingConfig t = training.build();
        assertEquals(6, m.nLayer());
        assertEquals(192, m.nEmbd());
        assertEquals(768, m.ffnHidden());
        assertEquals(6e-4, t.learningRate());
        assertEquals(TrainingConfig.NonFinitePolicy.SKIP, t.onNonFinite());
        assertEquals(false, t.compile());
        assertEquals(6, PretrainSettings.values(m, t).get("n-layer"));
    }

    @Test
    void errorsNameTheKeyTheSourceAndWhatWasExpected() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.apply(Map.of("n_layers", "4"), "run.json",
                GptConfig.builder(), TrainingConfig.builder()));
        assertTrue(unknown.getMessage().contains("unknown setting 'n_layers' in run.json") && unknown.getMessage().contains("n-layer"),
                unknown.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.apply(Map.of("max-iters", "lots"), "command line",
                GptConfig.builder(), TrainingConfig.builder()));
        assertTrue(bad.getMessage().contains("'max-iters' in command line: expected an integer, found 'lots'"), bad.getMessage());
        var model = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.applyTraining(Map.of("n-head", "2"), "state",
                TrainingConfig.nanoGptShakespeareChar()));
        assertTrue(model.getMessage().contains("changes the model's shape"), model.getMessage());
    }

    @Test
    void nonFiniteAndOutOfRangeValuesAreRefusedNamingTheKey() {
        var nan = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.check(Map.of("dropout", "NaN"), "run.json"));
        assertTrue(nan.getMessage().contains("'dropout' in run.json: expected a finite number, found NaN"), nan.getMessage());
        var inf = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.check(Map.of("--weight-decay", "Infinity"), "the command line"));
        assertTrue(inf.getMessage().contains("'--weight-decay' in the command line: expected a finite number"), inf.getMessage());
        var huge = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.check(Map.of("batch_size", "2000000000"), "run.json"));
        assertTrue(huge.getMessage().contains("'batch_size' in run.json: expected an integer from 1 to 1048576"), huge.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.check(Map.of("lr", "-1e-3"), "run.json"));
        assertTrue(negative.getMessage().contains("expected a number of 0 or more, found -1e-3"), negative.getMessage());
        var zeroInterval = assertThrows(IllegalArgumentException.class, () -> PretrainSettings.check(Map.of("eval-interval", "0"), "run.json"));
        assertTrue(zeroInterval.getMessage().contains("expected an integer of 1 or more, found 0"), zeroInterval.getMessage());
        assertEquals("dropout", PretrainSettings.canonical("--dropout"));
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().weightDecay(Double.POSITIVE_INFINITY).build(),
                "the configuration itself refuses an infinite weight decay");
    }

    @Test
    void readsJsonAndPropertiesFiles() throws IOException {
        Path json = dir.resolve("run.json");
        Files.writeString(json, "{\"max_iters\": 500, \"dropout\": 0.2, \"bias\": true, \"on-nan\": \"skip\"}");
        assertEquals(Map.of("max_iters", "500", "dropout", "0.2", "bias", "true", "on-nan", "skip"), PretrainSettings.read(json));
        Path props = dir.resolve("run.properties");
        Files.writeString(props, "max-iters = 500\nlr=3e-4\n");
        assertEquals(Map.of("lr", "3e-4", "max-iters", "500"), PretrainSettings.read(props));
        Path nested = dir.resolve("nested.json");
        Files.writeString(nested, "{\"model\": {\"n_layer\": 4}}");
        assertThrows(IOException.class, () -> PretrainSettings.read(nested));
        assertThrows(IOException.class, () -> PretrainSettings.read(dir.resolve("run.yaml")));
    }

    @Test
    void trainingValuesRoundTrip() {
        TrainingConfig c = TrainingConfig.builder().learningRate(3e-4).minLr(3e-5).maxIters(123).gradAccumSteps(4).seed(-7)
                .onNonFinite(TrainingConfig.NonFinitePolicy.SKIP).build();
        Map<String, String> text = new LinkedHashMap<>();
        PretrainSettings.trainingValues(c).forEach((k, v) -> text.put(k, String.valueOf(v)));
        assertEquals(c, PretrainSettings.applyTraining(text, "round trip", TrainingConfig.nanoGptShakespeareChar()));
    }
}
