package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.io.ConfigJson;
import dev.llmforge.io.HfGpt2;
import dev.llmforge.io.SafeTensors;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PyTorch (DJL), TensorFlow and ND4J on one class path, with the pinned javacpp 1.5.11 and
 * OpenBLAS 0.3.28-1.5.11: each is found and selected by name, and the golden GPT-2 (the kit's
 * fixture: a 2-layer model in Hugging Face layout with PyTorch's logits and loss) gives PyTorch's
 * numbers on every one of them, with the engines taking turns in the same JVM. This module's
 * other tests run the whole kit on ND4J in that same JVM, and {@link SharedClassPathDjlGoldenTest}
 * and {@link SharedClassPathTensorFlowGoldenTest} the full golden contract on the other two.
 */
class ThreeBackendsOnOneClassPathTest {
    private static final List<String> ENGINES = List.of("djl", "tensorflow", Nd4jBackend.NAME);
    private static final String FIXTURE = "/golden/gpt2-tiny/";

    @AfterEach
    void automaticSelection() {
        Backends.setDefault(null);
    }

    @Test
    void everyBackendIsFoundAvailableAndSelectableByName() {
        for (String name : ENGINES) {
            assertTrue(Backends.candidates().stream().anyMatch(c -> c.name().equals(name) && c.problem().isEmpty()),
                    () -> name + " should be discovered without a problem: " + Backends.candidates());
            Backends.setDefault(name);
            assertEquals(name, Backends.get().name(), "Backends.get() after setDefault(\"" + name + "\")");
            assertEquals(name, Backends.get(name).name());
        }
    }

    @Test
    void theGoldenGpt2GivesPyTorchsLogitsOnEveryBackendInOneJvm() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(resource("golden.json").array());
        double tolerance = expected.path("tolerance").path("float32_abs").asDouble(1e-4);
        long ignoreIndex = expected.path("ignore_index").asLong(-100);
        GptConfig config = ConfigJson.fromJson(expected.get("config"), "golden.json config");
        Map<String, float[]> logits = new LinkedHashMap<>();
        try (SafeTensors golden = SafeTensors.read(resource("golden.safetensors"), "golden.safetensors");
             SafeTensors weights = SafeTensors.read(resource("model.safetensors"), "model.safetensors")) {
            float[] want = null;
            for (int round = 0; round < 2; round++) { // the engines take turns, twice
                for (String name : ENGINES) {
                    Backend backend = Backends.get(name);
                    TensorFactory f = Tensor.on(backend);
                    try (TensorScope ignored = TensorScope.open(); Gpt model = HfGpt2.load(weights, config, f, DType.F32)) {
                        if (want == null) {
                            want = golden.load("logits", f).toFloatArray();
                        }
                        Gpt.Output out = model.forward(golden.load("input_ids", f), golden.load("targets", f), ignoreIndex);
                        float[] got = out.logits().toFloatArray();
                        assertClose(name + " logits", want, got, tolerance);
                        assertEquals(expected.get("loss").asDouble(), out.loss().item(), tolerance, name + " loss");
                        logits.put(name, got);
                    }
                }
            }
        }
        for (String name : ENGINES) { // and with each other
            assertClose(name + " vs djl logits", logits.get("djl"), logits.get(name), tolerance);
        }
    }

    private static void assertClose(String what, float[] want, float[] got, double tolerance) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < want.length; i++) {
            int at = i;
            assertTrue(Math.abs(want[i] - got[i]) <= tolerance, () -> what + " differ at " + at + ": " + want[at] + " vs " + got[at]);
        }
    }

    private static ByteBuffer resource(String name) throws IOException {
        try (InputStream in = ThreeBackendsOnOneClassPathTest.class.getResourceAsStream(FIXTURE + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + FIXTURE + name + " is not on the class path (it comes with llmforge-backend-tck)");
            }
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }
}
