package dev.llmforge.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.model.ScalarHead;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureTest {
    private final InterpretingBackend backend = new InterpretingBackend();
    private final TensorFactory t = Tensor.on(backend);

    @Test
    void capturedStepComputesWhatTheEagerStepComputesAndCompilesOnce() {
        Tensor w = t.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        StepFunction fn = in -> List.of(in.get(0).matmul(w).tanh().sum(new int[] {1}, false));
        try (CompiledStep captured = StepCompiler.compile(backend, fn); CompiledStep eager = StepCompiler.eager(backend, fn);
             TensorScope ignored = TensorScope.open()) {
            assertTrue(captured.isCaptured());
            assertFalse(eager.isCaptured());
            for (int run = 0; run < 3; run++) {
                Tensor x = t.of(new float[] {run, 1, -1, 0.5f, 2, run * 0.25f}, 2, 3);
                assertArrayEquals(eager.run(x).get(0).toFloatArray(), captured.run(x).get(0).toFloatArray(), 0f);
            }
            CompiledStep.Stats s = captured.stats();
            assertEquals(3, s.runs());
            assertEquals(1, s.compilations());
            assertEquals(1, s.lastSegments());
        }
        w.close();
    }

    @Test
    void numbersThatChangeBetweenRunsAreFedNotBakedIn() {
        double[] factor = {2};
        long[] seed = {7};
        StepFunction fn = in -> {
            Tensor noise = t.rand(in.get(0).shape(), DType.F32, seed[0]);
            return List.of(in.get(0).mul(factor[0]).add(noise));
        };
        try (CompiledStep captured = StepCompiler.compile(backend, fn); CompiledStep eager = StepCompiler.eager(backend, fn);
             TensorScope ignored = TensorScope.open()) {
            Tensor x = t.of(new float[] {1, 2, 3}, 3);
            for (int run = 0; run < 3; run++) {
                factor[0] = run + 0.5;
                seed[0] = 100 + run;
                assertArrayEquals(eager.run(x).get(0).toFloatArray(), captured.run(x).get(0).toFloatArray(), 0f);
            }
            assertEquals(1, captured.stats().compilations());
        }
    }

    @Test
    void aNewInputShapeCompilesAgain() {
        StepFunction fn = in -> List.of(in.get(0).exp().sum());
        try (CompiledStep captured = StepCompiler.compile(backend, fn); TensorScope ignored = TensorScope.open()) {
            captured.run(t.of(new float[] {1, 2}, 2));
            captured.run(t.of(new float[] {1, 2, 3}, 3));
            assertEquals(6.0 * 0 + Math.exp(1) + Math.exp(2) + Math.exp(3), captured.run(t.of(new float[] {1, 2, 3}, 3)).get(0).item(), 1e-5);
            assertEquals(2, captured.stats().compilations());
        }
    }

    @Test
    void trainingStepsMatchEagerTrainingExactly() {
        TinyModel eagerModel = new TinyModel();
        TinyModel capturedModel = new TinyModel();
        Tensor x = t.randn(Shape.of(6, 4), DType.F32, 3);
        Tensor targets = t.of(new long[] {0, 4, 2, F.IGNORE_INDEX, 1, 3}, 6);
        try (CompiledStep eager = StepCompiler.eager(backend, eagerModel::step);
             CompiledStep captured = StepCompiler.compile(backend, capturedModel::step)) {
            for (int step = 0; step < 3; step++) {
                try (TensorScope ignored = TensorScope.open()) {
                    double e = eager.run(x, targets).get(0).item();
                    double c = captured.run(x, targets).get(0).item();
                    assertEquals(e, c, 0);
                }
            }
            for (int i = 0; i < eagerModel.params.size(); i++) {
                assertArrayEquals(eagerModel.params.get(i).toFloatArray(), capturedModel.params.get(i).toFloatArray(), 0f, "param " + i);
                assertArrayEquals(eagerModel.m.get(i).toFloatArray(), capturedModel.m.get(i).toFloatArray(), 0f, "moment " + i);
            }
            assertEquals(1, captured.stats().compilations());
            assertEquals(1, captured.stats().lastSegments());
        }
        eagerModel.close();
        capturedModel.close();
        x.close();
        targets.close();
    }

    @Test
    void aPaddedScoringStepIsOneProgramAndMatchesEager() {
        // what a DPO or reward-model step does: score a left-padded batch, read a head at the last real tokens, backpropagate
        GptConfig config = GptConfig.llama(13, 8, 2, 4, 2, 16, 24);
        try (Gpt eagerModel = new Gpt(config, backend, 3); ScalarHead eagerHead = ScalarHead.of(eagerModel, 4);
             Gpt capturedModel = new Gpt(config, backend, 3); ScalarHead capturedHead = ScalarHead.of(capturedModel, 4);
             CompiledStep eager = StepCompiler.eager(backend, in -> scoringStep(eagerModel, eagerHead, in));
             CompiledStep captured = StepCompiler.compile(backend, in -> scoringStep(capturedModel, capturedHead, in));
             TensorScope ignored = TensorScope.open()) {
            Tensor ids = t.of(new long[] {0, 0, 3, 1, 4, 1, 5, 9, 2, 6}, 2, 5);
            Tensor mask = t.of(new float[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 5);
            Tensor response = t.of(new float[] {0, 0, 0, 1, 1, 0, 0, 1, 1, 1}, 2, 5);
            assertEquals(eager.run(ids, mask, response).get(0).item(), captured.run(ids, mask, response).get(0).item(), 1e-6);
            assertEquals(1, captured.stats().lastSegments(), "the masks and ids are read on the host without splitting the step");
            for (String name : List.of("wte.weight", "h.1.attn.c_attn.weight")) {
                assertArrayEquals(eagerModel.parameter(name).grad().toFloatArray(), capturedModel.parameter(name).grad().toFloatArray(), 1e-6f, name);
            }
            assertArrayEquals(eagerHead.parameter("summary.bias").grad().toFloatArray(), capturedHead.parameter("summary.bias").grad().toFloatArray(),
                    1e-6f);
        }
    }

    /** -mean log p(response) + (head at the last real token)^2, backpropagated. */
    private static List<Tensor> scoringStep(Gpt model, ScalarHead head, List<Tensor> in) {
        Tensor hidden = model.hiddenStates(in.get(0), in.get(1)); // (B, T, C)
        Tensor logProb = TokenLogProbs.ofLogits(model.logitsOf(hidden), in.get(0), 1).mean(in.get(2)); // (B)
        Tensor loss = logProb.sum().neg().add(head.atLastToken(hidden, in.get(1)).square().sum());
        loss.backward();
        return List.of(loss);
    }

    @Test
    void aHostReadInsideTheStepRunsTheStepSoFarAndGivesTheEagerValue() {
        List<Double> seen = new ArrayList<>();
        StepFunction fn = in -> {
            Tensor y = in.get(0).mul(in.get(0));
            seen.add(y.sum().item()); // needs the value now
            return List.of(y.add(1));
        };
        try (CompiledStep captured = StepCompiler.compile(backend, fn); TensorScope ignored = TensorScope.open()) {
            Tensor out = captured.run(t.of(new float[] {1, 2, 3}, 3)).get(0);
            assertEquals(List.of(14.0), seen);
            assertArrayEquals(new float[] {2, 5, 10}, out.toFloatArray(), 0f);
            assertEquals(2, captured.stats().lastSegments());
        }
    }

    @Test
    void noHandleLeaksAcrossRuns() {
        TinyModel model = new TinyModel();
        Tensor x = t.randn(Shape.of(6, 4), DType.F32, 3);
        Tensor targets = t.of(new long[] {0, 4, 2, 1, 1, 3}, 6);
        try (CompiledStep captured = StepCompiler.compile(backend, model::step)) {
            captured.run(x, targets).get(0).close();
            long live = backend.liveTensorCount();
            for (int i = 0; i < 4; i++) {
                captured.run(x, targets).get(0).close();
            }
            assertEquals(live, backend.liveTensorCount());
        }
        model.close();
        x.close();
        targets.close();
    }

    @Test
    void aFailingStepStillAppliesWhatItDidBeforeFailing() {
        Tensor state = t.of(new float[] {1, 2}, 2);
        StepFunction fn = in -> {
            state.replaceWith(state.mul(10).detachFromScope());
            throw new IllegalArgumentException("boom");
        };
        try (CompiledStep captured = StepCompiler.compile(backend, fn)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, captured::run);
            assertEquals("boom", e.getMessage());
        }
        assertArrayEquals(new float[] {10, 20}, state.toFloatArray(), 0f);
        state.close();
    }

    @Test
    void aBackendWithoutCaptureRunsTheStepEagerly() {
        var reference = Backends.get("reference");
        try (CompiledStep step = StepCompiler.compile(reference, in -> List.of(in.get(0).neg()));
             TensorScope ignored = TensorScope.open()) {
            assertFalse(step.isCaptured());
            assertArrayEquals(new float[] {-1, -2}, step.run(Tensor.on(reference).of(new float[] {1, 2}, 2)).get(0).toFloatArray(), 0f);
        }
    }

    @Test
    void capturePropertyFalseMakesEveryStepEager() {
        String before = System.getProperty(StepCompiler.PROPERTY);
        System.setProperty(StepCompiler.PROPERTY, "false");
        try (CompiledStep step = StepCompiler.compile(backend, in -> List.of(in.get(0).exp()))) {
            assertFalse(step.isCaptured());
        } finally {
            if (before == null) {
                System.clearProperty(StepCompiler.PROPERTY);
            } else {
                System.setProperty(StepCompiler.PROPERTY, before);
            }
        }
    }

    @Test
    void capturedStepsDoNotNest() {
        try (CompiledStep inner = StepCompiler.compile(backend, in -> List.of(in.get(0).neg()));
             CompiledStep outer = StepCompiler.compile(backend, in -> inner.run(in));
             TensorScope ignored = TensorScope.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> outer.run(t.of(new float[] {1}, 1)));
            assertTrue(e.getMessage().contains("do not nest"), e.getMessage());
            assertFalse(dev.llmforge.tensor.Dispatch.isCapturing(), "capture ends with the failed run");
        }
    }

    /** A linear layer, layer norm, GELU, attention and cross-entropy trained with the fused AdamW. */
    private final class TinyModel implements AutoCloseable {
        final List<Tensor> params = new ArrayList<>();
        final List<Tensor> m = new ArrayList<>();
        final List<Tensor> v = new ArrayList<>();
        long step;

        TinyModel() {
            params.add(t.randn(Shape.of(4, 8), DType.F32, 11).requiresGrad(true));
            params.add(t.zeros(Shape.of(8), DType.F32).requiresGrad(true));
            params.add(t.ones(Shape.of(8), DType.F32).requiresGrad(true));
            params.add(t.zeros(Shape.of(8), DType.F32).requiresGrad(true));
            params.add(t.randn(Shape.of(8, 5), DType.F32, 12).requiresGrad(true));
            for (Tensor p : params) {
                m.add(t.zeros(p.shape(), p.dtype()));
                v.add(t.zeros(p.shape(), p.dtype()));
            }
        }

        List<Tensor> step(List<Tensor> in) {
            Tensor h = in.get(0).matmul(params.get(0)).add(params.get(1));
            h = F.gelu(F.layerNorm(h, params.get(2), params.get(3), 1e-5), F.Gelu.TANH); // (6, 8)
            Tensor q = h.reshape(1, 2, 6, 4);
            Tensor att = F.causalAttention(q, q, q, 0, 0); // (1, 2, 6, 4)
            Tensor logits = h.matmul(params.get(4)); // (6, 5)
            Tensor loss = F.crossEntropy(logits, in.get(1)).add(F.softmax(logits).square().mean().mul(0.1)).add(att.mean());
            loss.backward();
            step++;
            try (GradMode.Restore ignored = GradMode.noGrad()) {
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    FusedOps.adamWUpdate(p, p.grad(), m.get(i), v.get(i), new FusedKernels.AdamWStep(0.01 / step, 0.9, 0.999, 1e-8, 0.01, step));
                    p.zeroGrad();
                }
            }
            return List.of(loss);
        }

        @Override
        public void close() {
            params.forEach(Tensor::close);
            m.forEach(Tensor::close);
            v.forEach(Tensor::close);
        }
    }
}
