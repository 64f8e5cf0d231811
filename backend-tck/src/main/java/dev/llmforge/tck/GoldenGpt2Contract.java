package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.io.ConfigJson;
import dev.llmforge.io.HfGpt2;
import dev.llmforge.io.SafeTensors;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 2-layer GPT-2 in Hugging Face layout, run against PyTorch's numbers: logits, loss, every
 * parameter's gradient, and ten AdamW steps with global grad-norm clipping. The fixture is
 * {@code golden/gpt2-tiny} on the class path, or the directory named by
 * {@code -Dllmforge.golden.dir=DIR} (same layout: {@code model.safetensors},
 * {@code golden.safetensors}, {@code golden.json}).
 */
public abstract class GoldenGpt2Contract extends BackendContract {
    /** System property naming another fixture directory of the same layout. */
    public static final String DIR_PROPERTY = "llmforge.golden.dir";
    private static final String RESOURCE_DIR = "/golden/gpt2-tiny/";

    private JsonNode expected;
    private SafeTensors golden;
    private Gpt model;
    private Tensor ids;
    private Tensor targets;
    private double absTolerance;
    private double relTolerance;
    private long ignoreIndex;

    @BeforeEach
    void loadFixture() throws IOException {
        expected = new ObjectMapper().readTree(fixture("golden.json").array());
        golden = SafeTensors.read(fixture("golden.safetensors"), "golden.safetensors");
        absTolerance = expected.path("tolerance").path("float32_abs").asDouble(1e-4);
        relTolerance = expected.path("tolerance").path("float32_rel").asDouble(1e-3);
        ignoreIndex = expected.path("ignore_index").asLong(-100);
        TensorFactory f = Tensor.on(backend());
        GptConfig config = ConfigJson.fromJson(expected.get("config"), "golden.json config");
        try (SafeTensors weights = SafeTensors.read(fixture("model.safetensors"), "model.safetensors")) {
            model = HfGpt2.load(weights, config, f, DType.F32);
        }
        ids = golden.load("input_ids", f).detachFromScope();
        targets = golden.load("targets", f).detachFromScope();
    }

    @AfterEach
    void release() throws IOException {
        model.close();
        ids.close();
        targets.close();
        golden.close();
    }

    @Test
    void logitsAndLossMatchPyTorch() throws IOException {
        try (TensorScope ignored = TensorScope.open()) {
            Gpt.Output out = model.forward(ids, targets, ignoreIndex);
            float[] want = golden.load("logits", Tensor.on(backend())).toFloatArray();
            double worst = assertClose("logits", want, out.logits().toFloatArray(), absTolerance, 0);
            double loss = out.loss().item();
            assertEquals(expected.get("loss").asDouble(), loss, absTolerance, "loss");
            report("logits max |error| " + worst + ", loss |error| " + Math.abs(loss - expected.get("loss").asDouble()));
        }
    }

    @Test
    void everyParameterGradientMatchesPyTorch() throws IOException {
        try (TensorScope ignored = TensorScope.open()) {
            model.forward(ids, targets, ignoreIndex).loss().backward();
        }
        Map<String, Tensor> params = model.namedParameters();
        assertEquals(expectedNames("grad."), params.size(), "parameter count");
        double worst = 0;
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            assertTrue(p.getValue().grad() != null, p.getKey() + " got no gradient");
            worst = Math.max(worst, assertClose("grad." + p.getKey(), hfLayout("grad." + p.getKey()),
                    ourLayout(p.getKey(), p.getValue().grad()), absTolerance, relTolerance));
        }
        report("gradients of " + params.size() + " parameters: max |error| " + worst);
    }

    @Test
    void tenAdamWStepsMatchPyTorch() throws IOException {
        JsonNode opt = expected.get("adamw");
        AdamW adamw = AdamW.builder(model.namedParameters())
                .lr(opt.get("lr").asDouble())
                .betas(opt.get("betas").get(0).asDouble(), opt.get("betas").get(1).asDouble())
                .eps(opt.get("eps").asDouble())
                .weightDecay(opt.get("weight_decay").asDouble())
                .build();
        JsonNode losses = opt.get("loss_before_each_step");
        double worstLoss = 0;
        double worstParam = 0;
        try {
            for (int step = 0; step < opt.get("steps").asInt(); step++) {
                try (TensorScope ignored = TensorScope.open()) {
                    adamw.zeroGrad();
                    Tensor loss = model.forward(ids, targets, ignoreIndex).loss();
                    assertEquals(losses.get(step).asDouble(), loss.item(), absTolerance, "loss before step " + step);
                    worstLoss = Math.max(worstLoss, Math.abs(loss.item() - losses.get(step).asDouble()));
                    loss.backward();
                    GradClip.clipGlobalNorm(model.parameters(), opt.get("clip_grad_norm").asDouble());
                    adamw.step();
                }
            }
            double keyBiasBound = keyBiasBound(opt);
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                worstParam = Math.max(worstParam, assertAfterAdamWClose(p.getKey(), hfLayout("after_adamw." + p.getKey()),
                        ourLayout(p.getKey(), p.getValue()), model.config().nEmbd(), absTolerance, relTolerance, keyBiasBound));
            }
            report(opt.get("steps").asInt() + " AdamW steps: loss max |error| " + worstLoss + ", parameters max |error| " + worstParam);
        } finally {
            adamw.close();
        }
    }

    private void report(String line) {
        System.out.println("[golden gpt2 on " + backend().name() + "] " + line);
    }

    private int expectedNames(String prefix) {
        int n = 0;
        for (String name : golden.tensors().keySet()) {
            n += name.startsWith(prefix) ? 1 : 0;
        }
        return n;
    }

    private float[] hfLayout(String name) throws IOException {
        try (TensorScope ignored = TensorScope.open()) {
            return golden.load(name, Tensor.on(backend())).toFloatArray();
        }
    }

    /** Our values in Hugging Face's layout: Conv1D weights transposed back to (in, out). */
    static float[] ourLayout(String name, Tensor t) {
        float[] v = t.toFloatArray();
        if (!HfGpt2.isConv1dWeight(name)) {
            return v;
        }
        int rows = t.dim(0);
        int cols = t.dim(1);
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }

    /**
     * How far two correct AdamW runs may put an entry whose true gradient is exactly zero: each step
     * moves it by at most lr (Adam's bias-corrected step is at most 1 per entry when beta1² <= beta2;
     * no weight decay on biases), driven by float round-off that differs between engines, so two
     * runs differ by at most 2·lr·steps.
     */
    static double keyBiasBound(JsonNode adamw) {
        double beta1 = adamw.get("betas").get(0).asDouble();
        double beta2 = adamw.get("betas").get(1).asDouble();
        if (beta1 * beta1 > beta2) {
            throw new IllegalStateException("the key-bias bound needs beta1^2 <= beta2, the fixture has " + beta1 + ", " + beta2);
        }
        return 2 * adamw.get("lr").asDouble() * adamw.get("steps").asInt();
    }

    /**
     * A parameter after the AdamW steps against PyTorch's: within {@code abs + rel·|want|}, except
     * the key part of an attention's {@code c_attn.bias} (entries {@code [C, 2C)}), whose true
     * gradient is exactly zero (adding a constant to every key shifts all of a query's scores
     * alike, which softmax ignores): Adam divides its round-off gradient by its own root mean
     * square, so those entries move by up to lr a step in a direction that round-off picks. They
     * are held to {@code keyBiasBound} instead; the losses before every step pin the rest.
     * Returns the max |error| outside the key bias.
     */
    static double assertAfterAdamWClose(String name, float[] want, float[] got, int nEmbd, double abs, double rel, double keyBiasBound) {
        if (!name.endsWith("attn.c_attn.bias")) {
            return assertClose("after_adamw." + name, want, got, abs, rel);
        }
        assertEquals(3 * nEmbd, want.length, name + ": element count");
        double worst = 0;
        String[] parts = {"query", "key", "value"};
        for (int i = 0; i < parts.length; i++) {
            float[] w = Arrays.copyOfRange(want, i * nEmbd, (i + 1) * nEmbd);
            float[] g = Arrays.copyOfRange(got, i * nEmbd, (i + 1) * nEmbd);
            String what = "after_adamw." + name + " (" + parts[i] + " part)";
            if (i == 1) {
                assertClose(what + ", zero true gradient", w, g, keyBiasBound, 0);
            } else {
                worst = Math.max(worst, assertClose(what, w, g, abs, rel));
            }
        }
        return worst;
    }

    /** |got - want| <= abs + rel·|want| everywhere; the message names the worst element. Returns the max |error|. */
    static double assertClose(String what, float[] want, float[] got, double abs, double rel) {
        assertEquals(want.length, got.length, what + ": element count");
        double worst = 0;
        int at = -1;
        boolean ok = true;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs((double) got[i] - want[i]);
            ok &= err <= abs + rel * Math.abs(want[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        assertTrue(ok, what + ": max |error| " + worst + " at element " + at + " (want " + (at < 0 ? "" : want[at]) + ", got "
                + (at < 0 ? "" : got[at]) + "), tolerance " + abs + " + " + rel + "·|want|");
        return worst;
    }

    /** A fixture file, from -Dllmforge.golden.dir or the class path. */
    static ByteBuffer fixture(String name) {
        String dir = System.getProperty(DIR_PROPERTY);
        try {
            if (dir != null && !dir.isBlank()) {
                return ByteBuffer.wrap(Files.readAllBytes(Path.of(dir, name)));
            }
            try (InputStream in = GoldenGpt2Contract.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IllegalStateException("fixture " + RESOURCE_DIR + name + " is not on the class path");
                }
                return ByteBuffer.wrap(in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
