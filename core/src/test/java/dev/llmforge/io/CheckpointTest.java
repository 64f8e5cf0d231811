package dev.llmforge.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.TinyModels;
import dev.llmforge.nn.RotaryEmbedding;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private final Backend backend = TinyModels.reference();
    private final TensorFactory t = Tensor.on(backend);

    @TempDir
    Path dir;

    @Test
    void modelDirectoryRoundTripsWeightsConfigTokenizerAndOptimizer() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        for (GptConfig cfg : List.of(TinyModels.gpt2(), TinyModels.llama().toBuilder().tieWeights(false).dropout(0.1).build())) {
            try (Gpt model = new Gpt(cfg, backend, 21)) {
                AdamW opt = AdamW.builder(model.namedParameters()).lr(3e-3).build();
                try (TensorScope ignored = TensorScope.open()) {
                    model.loss(TinyModels.ids(1, 4, 1, 2, 3, 4), TinyModels.ids(1, 4, 2, 3, 4, 5)).backward();
                    opt.step();
                }
                Checkpoint.writer(ckpt).model(model).tokenizerJson("{\"model\":{}}").optimizer(opt)
                        .file("train_state.json", "{\"step\":1}".getBytes(StandardCharsets.UTF_8)).write();
                assertEquals(cfg, Checkpoint.loadConfig(ckpt));
                try (Gpt loaded = Checkpoint.loadModel(ckpt, t); TensorScope ignored = TensorScope.open()) {
                    model.eval();
                    loaded.eval();
                    Tensor x = TinyModels.ids(1, 5, 3, 1, 4, 1, 5);
                    assertArrayEquals(model.logits(x).toFloatArray(), loaded.logits(x).toFloatArray(), 0f);
                    assertEquals(model.namedParameters().keySet(), loaded.namedParameters().keySet());
                }
                assertEquals("{\"model\":{}}", Checkpoint.tokenizerJson(ckpt).orElseThrow());
                assertEquals("{\"step\":1}", Files.readString(ckpt.resolve("train_state.json")));
                AdamW resumed = AdamW.builder(model.namedParameters()).lr(1).build();
                Checkpoint.loadOptimizer(ckpt, resumed);
                assertEquals(1, resumed.stepCount());
                assertEquals(3e-3, resumed.learningRate());
                assertEquals(opt.stateTensors().keySet(), resumed.stateTensors().keySet());
                for (String k : opt.stateTensors().keySet()) {
                    assertArrayEquals(opt.stateTensors().get(k).toFloatArray(), resumed.stateTensors().get(k).toFloatArray(), 0f, k);
                }
                opt.close();
                resumed.close();
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(ckpt), files.toList(), "the swap leaves no temporary or old directory");
        }
    }

    @Test
    void halfPrecisionCheckpointsLoadIntoF32Models() throws IOException {
        Path ckpt = dir.resolve("half");
        try (Gpt model = new Gpt(TinyModels.gpt2(), backend, 4)) {
            Checkpoint.writer(ckpt).model(model).floatStorage(DType.BF16).write();
            try (SafeTensors st = SafeTensors.open(ckpt.resolve(Checkpoint.WEIGHTS))) {
                assertEquals(DType.BF16, st.info("wte.weight").dtype());
            }
            try (Gpt loaded = Checkpoint.loadModel(ckpt, t)) {
                float[] a = model.parameter("h.1.mlp.c_fc.weight").toFloatArray();
                float[] b = loaded.parameter("h.1.mlp.c_fc.weight").toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], Math.abs(a[i]) / 128);
                }
            }
        }
    }

    @Test
    void checkpointsNotMatchingTheConfigAreRejectedByName() throws IOException {
        Path ckpt = dir.resolve("bad");
        try (Gpt model = new Gpt(TinyModels.gpt2(), backend, 4)) {
            Checkpoint.save(ckpt, model);
        }
        // the config claims 3 layers: the file holds 2 (found from the header, before a model is built)
        GptConfig three = TinyModels.gpt2().toBuilder().nLayer(3).build();
        ConfigJson.write(ckpt.resolve(Checkpoint.CONFIG), three);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadModel(ckpt, t));
        assertTrue(e.getMessage().contains("(n_layer 3, vocab_size 11, n_embd 8") && e.getMessage().contains("it holds 2 layers (h.0 to h.1)"),
                e.getMessage());
        // one layer: h.1.* is unexpected
        ConfigJson.write(ckpt.resolve(Checkpoint.CONFIG), TinyModels.gpt2().toBuilder().nLayer(1).build());
        e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadModel(ckpt, t));
        assertTrue(e.getMessage().contains("unexpected for this config: [h.1.attn.c_attn.bias"), e.getMessage());
        // a wider MLP: shapes differ
        ConfigJson.write(ckpt.resolve(Checkpoint.CONFIG), TinyModels.gpt2().toBuilder().ffnHidden(16).build());
        e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadModel(ckpt, t));
        assertTrue(e.getMessage().contains("'h.0.mlp.c_fc.weight' has shape [32, 8], expected [16, 8]"), e.getMessage());
        Files.delete(ckpt.resolve(Checkpoint.WEIGHTS));
        e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.loadModel(ckpt, t));
        assertTrue(e.getMessage().contains("expected model.safetensors"), e.getMessage());
    }

    @Test
    void huggingFaceGpt2LayoutIsTransposedOnLoad() throws IOException {
        Path hf = dir.resolve("hf");
        Files.createDirectories(hf);
        try (Gpt model = new Gpt(TinyModels.gpt2(), backend, 8); TensorScope ignored = TensorScope.open()) {
            Map<String, Tensor> hfTensors = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                Tensor v = HfGpt2.isConv1dWeight(e.getKey()) ? e.getValue().transpose(0, 1) : e.getValue();
                hfTensors.put(e.getKey(), v);
            }
            hfTensors.put("h.0.attn.bias", t.ones(Shape.of(1, 1, 8, 8), DType.F32)); // mask buffer, skipped
            hfTensors.put("lm_head.weight", model.parameter("wte.weight")); // tied copy, accepted
            SafeTensorsWriter.write(hf.resolve(Checkpoint.WEIGHTS), hfTensors, Map.of("format", "pt"));
            Files.writeString(hf.resolve(Checkpoint.CONFIG), "{\"model_type\":\"gpt2\",\"vocab_size\":11,\"n_positions\":8,"
                    + "\"n_embd\":8,\"n_layer\":2,\"n_head\":2,\"activation_function\":\"gelu_new\",\"layer_norm_epsilon\":1e-5}");
            try (Gpt loaded = Checkpoint.loadModel(hf, t)) {
                Tensor x = TinyModels.ids(2, 3, 1, 2, 3, 4, 5, 6);
                assertArrayEquals(model.logits(x).toFloatArray(), loaded.logits(x).toFloatArray(), 0f);
            }
            try (Gpt viaHf = HfGpt2.load(hf, t)) {
                assertArrayEquals(model.parameter("h.1.attn.c_attn.weight").toFloatArray(),
                        viaHf.parameter("h.1.attn.c_attn.weight").toFloatArray(), 0f);
            }
        }
    }

    @Test
    void configJsonRoundTripsAndRejectsNonsense() throws IOException {
        GptConfig cfg = TinyModels.llama().toBuilder().ropeStyle(RotaryEmbedding.Style.HALF).dropout(0.2).build();
        String json = ConfigJson.toJsonString(cfg);
        assertEquals(cfg, ConfigJson.fromJson(new ObjectMapper().readTree(json), "test"));
        assertTrue(json.contains("\"n_kv_head\" : 2"), json);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> ConfigJson.fromJson(new ObjectMapper().readTree(json.replace("\"swiglu\"", "\"relu\"")), "test"));
        assertTrue(e.getMessage().contains("'relu' is not one of gelu_tanh, gelu_exact, swiglu"), e.getMessage());
        e = assertThrows(CheckpointFormatException.class,
                () -> ConfigJson.fromJson(new ObjectMapper().readTree(json.replace("\"n_head\" : 4", "\"n_head\" : 3")), "test"));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
        e = assertThrows(CheckpointFormatException.class, () -> ConfigJson.fromJson(new ObjectMapper().readTree("{\"model_type\":\"bert\"}"), "x"));
        assertTrue(e.getMessage().contains("unknown config"), e.getMessage());
        GptConfig hf = ConfigJson.fromJson(new ObjectMapper().readTree("{\"model_type\":\"gpt2\"}"), "x");
        assertEquals(GptConfig.gpt2Small(), hf, "Hugging Face defaults are GPT-2 small");
        assertFalse(hf.dropout() > 0);
    }
}
