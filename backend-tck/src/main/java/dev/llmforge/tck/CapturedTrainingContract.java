package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.io.ConfigJson;
import dev.llmforge.io.HfGpt2;
import dev.llmforge.io.SafeTensors;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Training steps run as compiled programs give what the same steps give eagerly, and PyTorch's numbers. */
public abstract class CapturedTrainingContract extends BackendContract {
    @BeforeEach
    void backendCanCapture() {
        assertTrue(backend().capture().isPresent(), "backend " + backend().name() + " has no capture support: this contract does not apply");
    }


    /** One training step of a GPT: forward, backward, clipping, AdamW; returns the loss. */
    private static final class TrainStep implements AutoCloseable {
        final Gpt model;
        final AdamW adamw;
        final double clip;
        final long ignoreIndex;
        final List<Double> losses = new java.util.ArrayList<>();
        boolean readLossBeforeBackward;

        TrainStep(Gpt model, AdamW adamw, double clip, long ignoreIndex) {
            this.model = model;
            this.adamw = adamw;
            this.clip = clip;
            this.ignoreIndex = ignoreIndex;
        }

        List<Tensor> apply(List<Tensor> batch) {
            adamw.zeroGrad();
            Tensor loss = model.forward(batch.get(0), batch.get(1), ignoreIndex).loss();
            if (readLossBeforeBackward) {
                losses.add(loss.item());
            }
            loss.backward();
            GradClip.clipGlobalNorm(model.parameters(), clip);
            adamw.step();
            return List.of(loss);
        }

        @Override
        public void close() {
            adamw.close();
            model.close();
        }
    }

    private TrainStep newGpt(long seed) {
        GptConfig config = GptConfig.builder().vocabSize(40).blockSize(16).nLayer(2).nHead(2).nEmbd(32).dropout(0.1).build();
        Gpt model = new Gpt(config, backend(), seed);
        model.train();
        return new TrainStep(model, AdamW.builder(model.namedParameters()).lr(3e-3).build(), 1.0, -100);
    }

    @Test
    void capturedGptTrainingFollowsEagerTraining() {
        Tensor ids = tensors().of(randomTokens(4 * 16, 40, 1), 4, 16);
        Tensor targets = tensors().of(randomTokens(4 * 16, 40, 2), 4, 16);
        try (TrainStep eagerRun = newGpt(7); TrainStep capturedRun = newGpt(7);
             CompiledStep eager = StepCompiler.eager(backend(), eagerRun::apply);
             CompiledStep captured = StepCompiler.compile(backend(), capturedRun::apply)) {
            for (int step = 0; step < 4; step++) {
                try (TensorScope ignored = TensorScope.open()) {
                    double e = eager.run(ids, targets).get(0).item();
                    double c = captured.run(ids, targets).get(0).item();
                    assertEquals(e, c, 1e-5 * Math.abs(e), "loss at step " + step);
                }
            }
            for (Map.Entry<String, Tensor> p : eagerRun.model.namedParameters().entrySet()) {
                float[] want = p.getValue().toFloatArray();
                float[] got = capturedRun.model.namedParameters().get(p.getKey()).toFloatArray();
                GoldenGpt2Contract.assertClose(p.getKey(), want, got, 1e-4, 1e-3); // compiled kernels may round differently; AdamW amplifies tiny gradients
            }
            CompiledStep.Stats s = captured.stats();
            assertTrue(captured.isCaptured());
            assertEquals(2, s.compilations(), "the first step also creates AdamW's moments, later steps share a program");
            assertEquals(1, s.lastSegments(), "the step runs as one program");
        } finally {
            ids.close();
            targets.close();
        }
    }

    @Test
    void aHostReadInsideTheStepSplitsItWithoutChangingTheResult() {
        Tensor ids = tensors().of(randomTokens(2 * 16, 40, 5), 2, 16);
        Tensor targets = tensors().of(randomTokens(2 * 16, 40, 6), 2, 16);
        try (TrainStep eagerRun = newGpt(3); TrainStep capturedRun = newGpt(3);
             CompiledStep eager = StepCompiler.eager(backend(), eagerRun::apply);
             CompiledStep captured = StepCompiler.compile(backend(), capturedRun::apply)) {
            eagerRun.readLossBeforeBackward = true;
            capturedRun.readLossBeforeBackward = true;
            for (int step = 0; step < 3; step++) {
                try (TensorScope ignored = TensorScope.open()) {
                    eager.run(ids, targets);
                    captured.run(ids, targets);
                }
            }
            assertEquals(2, captured.stats().lastSegments(), "the loss read splits the step in two programs");
            for (int step = 0; step < 3; step++) {
                assertEquals(eagerRun.losses.get(step), capturedRun.losses.get(step), 1e-5, "loss at step " + step);
            }
            for (Map.Entry<String, Tensor> p : eagerRun.model.namedParameters().entrySet()) {
                GoldenGpt2Contract.assertClose(p.getKey(), p.getValue().toFloatArray(), capturedRun.model.namedParameters().get(p.getKey()).toFloatArray(), 1e-4, 1e-3);
            }
        } finally {
            ids.close();
            targets.close();
        }
    }

    @Test
    void capturedStepsKeepTheLiveTensorCountFlat() {
        Tensor ids = tensors().of(randomTokens(2 * 16, 40, 3), 2, 16);
        Tensor targets = tensors().of(randomTokens(2 * 16, 40, 4), 2, 16);
        try (TrainStep run = newGpt(11); CompiledStep captured = StepCompiler.compile(backend(), run::apply)) {
            captured.run(ids, targets).get(0).close();
            long live = backend().liveTensorCount();
            for (int i = 0; i < 5; i++) {
                captured.run(ids, targets).get(0).close();
            }
            assertEquals(live, backend().liveTensorCount());
        } finally {
            ids.close();
            targets.close();
        }
    }

    @Test
    void capturedGoldenTrainingMatchesPyTorch() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(GoldenGpt2Contract.fixture("golden.json").array());
        JsonNode opt = expected.get("adamw");
        double abs = expected.path("tolerance").path("float32_abs").asDouble(1e-4);
        double rel = expected.path("tolerance").path("float32_rel").asDouble(1e-3);
        GptConfig config = ConfigJson.fromJson(expected.get("config"), "golden.json config");
        Gpt model;
        try (SafeTensors weights = SafeTensors.read(GoldenGpt2Contract.fixture("model.safetensors"), "model.safetensors")) {
            model = HfGpt2.load(weights, config, tensors(), DType.F32);
        }
        AdamW adamw = AdamW.builder(model.namedParameters()).lr(opt.get("lr").asDouble())
                .betas(opt.get("betas").get(0).asDouble(), opt.get("betas").get(1).asDouble())
                .eps(opt.get("eps").asDouble()).weightDecay(opt.get("weight_decay").asDouble()).build();
        try (SafeTensors golden = SafeTensors.read(GoldenGpt2Contract.fixture("golden.safetensors"), "golden.safetensors");
             TrainStep train = new TrainStep(model, adamw, opt.get("clip_grad_norm").asDouble(), expected.path("ignore_index").asLong(-100));
             CompiledStep captured = StepCompiler.compile(backend(), train::apply);
             TensorScope ignored = TensorScope.open()) {
            Tensor ids = golden.load("input_ids", tensors());
            Tensor targets = golden.load("targets", tensors());
            for (int step = 0; step < opt.get("steps").asInt(); step++) {
                double loss = captured.run(ids, targets).get(0).item();
                assertEquals(opt.get("loss_before_each_step").get(step).asDouble(), loss, abs, "loss before step " + step);
            }
            double worst = 0;
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                float[] want = golden.load("after_adamw." + p.getKey(), tensors()).toFloatArray();
                worst = Math.max(worst, GoldenGpt2Contract.assertAfterAdamWClose(p.getKey(), want,
                        GoldenGpt2Contract.ourLayout(p.getKey(), p.getValue()), config.nEmbd(), abs, rel, GoldenGpt2Contract.keyBiasBound(opt)));
            }
            System.out.println("[captured golden gpt2 on " + backend().name() + "] " + opt.get("steps").asInt()
                    + " AdamW steps: parameters max |error| " + worst);
            assertEquals(2, captured.stats().compilations(), "the first step also creates AdamW's moments, later steps share a program");
        }
    }

    private static long[] randomTokens(int n, int vocab, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(vocab);
        }
        return out;
    }
}
