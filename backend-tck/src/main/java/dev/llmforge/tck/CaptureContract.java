package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.capture.StepFunction;
import dev.llmforge.generate.DecodeStep;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.KvCache;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Captured steps ({@link StepCompiler}) on a backend with capture support: fed numbers, new shapes,
 * errors, and the handles they leave.
 */
public abstract class CaptureContract extends BackendContract {
    @BeforeEach
    void backendCanCapture() {
        assertTrue(backend().capture().isPresent(), "backend " + backend().name() + " has no capture support: this contract does not apply");
    }


    @Test
    void everyKindOfFedNumberReachesTheProgram() {
        double[] scale = {1};
        long[] seed = {1};
        StepFunction fn = in -> {
            Tensor x = in.get(0);
            Tensor noise = tensors().rand(x.shape(), DType.F32, seed[0]).add(tensors().randn(x.shape(), DType.F32, seed[0] + 1));
            Tensor ids = tensors().of(new long[] {2, 0, (int) scale[0] % 3}, 3); // host data that changes
            return List.of(x.mul(scale[0]).add(noise).gather(0, ids), F.gelu(x, F.Gelu.EXACT));
        };
        try (CompiledStep eager = StepCompiler.eager(backend(), fn); CompiledStep captured = StepCompiler.compile(backend(), fn);
             TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {1, -2, 3, 0.5f, 0, 7}, 3, 2);
            for (int run = 0; run < 4; run++) {
                scale[0] = 1.5 + run;
                seed[0] = 10L * run;
                List<Tensor> want = eager.run(x);
                List<Tensor> got = captured.run(x);
                assertArrayEquals(want.get(0).toFloatArray(), got.get(0).toFloatArray(), 1e-6f, "run " + run);
                assertArrayEquals(want.get(1).toFloatArray(), got.get(1).toFloatArray(), 1e-6f, "run " + run);
            }
            assertEquals(1, captured.stats().compilations());
        }
    }

    @Test
    void aNewShapeCompilesANewProgramAndOldOnesStayCached() {
        try (CompiledStep captured = StepCompiler.compile(backend(), in -> List.of(F.softmax(in.get(0)).sum()));
             TensorScope ignored = TensorScope.open()) {
            for (int n : new int[] {2, 3, 2, 3, 4}) {
                assertEquals(1, captured.run(tensors().randn(Shape.of(n, 5), DType.F32, n)).get(0).item() / n, 1e-5);
            }
            assertEquals(3, captured.stats().compilations());
            assertEquals(3, captured.stats().cachedPrograms());
        }
    }

    @Test
    void anIndexOutOfRangeFailsClearlyAndLeavesNothingOpen() {
        Tensor table = tensors().randn(Shape.of(4, 3), DType.F32, 1);
        long live = backend().liveTensorCount();
        try (CompiledStep captured = StepCompiler.compile(backend(), in -> List.of(table.gather(0, in.get(0))))) {
            try (TensorScope ignored = TensorScope.open()) {
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                        () -> captured.run(tensors().of(new long[] {1, 9}, 2)));
                assertTrue(e.getMessage().contains("9"), e.getMessage());
            }
        }
        assertEquals(live, backend().liveTensorCount());
        table.close();
    }

    @Test
    void valuesOfACapturedStepWorkEagerlyAfterwards() {
        Tensor w = tensors().randn(Shape.of(3, 3), DType.F32, 5).requiresGrad(true);
        try (CompiledStep captured = StepCompiler.compile(backend(), in -> {
            Tensor y = in.get(0).matmul(w).tanh();
            y.sum().backward();
            return List.of(y);
        }); TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().randn(Shape.of(2, 3), DType.F32, 6);
            Tensor y = captured.run(x).get(0);
            Tensor eager = x.matmul(w).tanh();
            assertArrayEquals(eager.toFloatArray(), y.toFloatArray(), 1e-6f);
            assertArrayEquals(eager.mul(y).toFloatArray(), y.square().toFloatArray(), 1e-6f); // eager ops on captured values
            assertEquals(Shape.of(3, 3), w.grad().shape(), "the gradient the step accumulated is a usable tensor");
            assertTrue(w.grad().square().sum().item() > 0);
        }
        w.close();
    }

    @Test
    void compiledDecodeStepsGiveTheLogitsOfEagerDecoding() {
        for (GptConfig config : List.of(GptConfig.gpt2(40, 16, 2, 2, 32), GptConfig.llama(40, 16, 2, 4, 2, 32, 48))) {
            for (boolean padded : new boolean[] {false, true}) {
                try (Gpt model = new Gpt(config, backend(), 3); DecodeStep step = new DecodeStep(model); KvCache compiled = step.newCache();
                     KvCache eager = model.newCache(); TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
                    model.eval();
                    assertTrue(step.isCompiled() && compiled.isFixedSize(), "a backend that captures decodes over a fixed-size cache");
                    // one prompt of 5, or two left-padded prompts of 2 and 5: per-row positions and masks in the compiled step
                    int rows = padded ? 2 : 1;
                    Tensor prompt = padded ? tensors().of(new long[] {0, 0, 0, 7, 8, 1, 2, 3, 4, 5}, 2, 5) : tensors().of(new long[] {1, 2, 3, 4, 5}, 1, 5);
                    Tensor mask = padded ? tensors().of(new float[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, 2, 5) : null;
                    model.nextTokenLogits(prompt, mask, compiled);
                    model.nextTokenLogits(prompt, mask, eager);
                    for (int i = 0; i < 10; i++) {
                        long[] next = new long[rows];
                        Arrays.fill(next, (7L * i + 3) % 40);
                        Tensor id = tensors().of(next, rows, 1);
                        float[] want = model.nextTokenLogits(id, eager).toFloatArray();
                        float[] got = step.logits(id, compiled).toFloatArray();
                        assertArrayEquals(want, got, 1e-4f, config.positions() + (padded ? ", padded" : "") + ", step " + i);
                    }
                }
            }
        }
    }
}
