package dev.llmforge.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.Ops;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The F16 and BF16 capabilities (the conformance kit checks their storage only): every primitive
 * and fused op computed in half precision agrees with F32 to the precision of the format.
 */
class HalfPrecisionTest {
    private final Backend backend = Backends.get(TensorFlowBackend.NAME);
    private final TensorFactory t = Tensor.on(backend);

    private Map<String, Function<Tensor, Tensor>> ops() {
        Map<String, Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
        ops.put("add", x -> x.add(x));
        ops.put("sub", x -> x.sub(x.mul(0.5)));
        ops.put("div", x -> x.div(x.add(3)));
        ops.put("max", x -> x.max(new int[] {1}, false));
        ops.put("sum", x -> x.sum());
        ops.put("exp, log", x -> x.exp().log());
        ops.put("sqrt", x -> x.square().sqrt());
        ops.put("tanh", Tensor::tanh);
        ops.put("erf", Tensor::erf);
        ops.put("reciprocal", x -> x.add(5).reciprocal());
        ops.put("maximum", x -> x.maximum(0));
        ops.put("lt, where", x -> x.lt(0).where(x, x.neg()));
        ops.put("eq", x -> x.eq(x.mul(1)).where(x, x.neg()));
        ops.put("matmul", x -> x.matmul(x, false, true));
        ops.put("batched matmul", x -> x.reshape(2, 2, 4).matmul(x.reshape(2, 2, 4), true, false));
        ops.put("argmax", x -> x.argmax(1, false).cast(x.dtype()));
        ops.put("softmax", F::softmax);
        ops.put("layer norm", x -> F.layerNorm(x, x.slice(0, 0, 1).reshape(4), x.slice(0, 1, 2).reshape(4), 1e-5));
        ops.put("gelu tanh", x -> F.gelu(x, F.Gelu.TANH));
        ops.put("gelu exact", x -> F.gelu(x, F.Gelu.EXACT));
        ops.put("cross-entropy", x -> F.crossEntropy(x, t.of(new long[] {1, 2, 3, 0}, 4)));
        ops.put("gather", x -> x.gather(0, t.of(new long[] {1, 1, 3}, 3)));
        ops.put("scatterAdd", x -> Ops.scatterAdd(Shape.of(5, 4), 0, t.of(new long[] {1, 1, 3, 0}, 4), x));
        ops.put("randn", x -> t.randn(x.shape(), x.dtype(), 3).add(x));
        ops.put("concat, expand, permute, slice", x -> Ops.concat(List.of(x, x), 1).reshape(1, 4, 8).expand(Shape.of(2, 4, 8))
                .permute(2, 0, 1).slice(0, 1, 5));
        ops.put("cast through I32", x -> x.mul(4).cast(DType.I32).cast(x.dtype()));
        ops.put("gradient of a small network", x -> {
            Tensor w = x.mul(1).detach().requiresGrad(true);
            F.gelu(F.layerNorm(x.matmul(w), null, null, 1e-5), F.Gelu.TANH).square().sum().backward();
            Tensor g = w.grad().mul(1);
            w.close();
            return g;
        });
        return ops;
    }

    @TestFactory
    List<DynamicTest> halfPrecisionAgreesWithF32() {
        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            double tolerance = dtype == DType.F16 ? 4e-3 : 3e-2; // a few units in the last place of each format
            for (Map.Entry<String, Function<Tensor, Tensor>> op : ops().entrySet()) {
                tests.add(DynamicTest.dynamicTest(dtype + " " + op.getKey(), () -> {
                    try (TensorScope ignored = TensorScope.open()) {
                        Tensor x = t.randn(Shape.of(4, 4), DType.F32, 1).cast(dtype).cast(DType.F32); // exactly representable
                        float[] want = op.getValue().apply(x).toFloatArray();
                        Tensor half = op.getValue().apply(x.cast(dtype));
                        assertEquals(dtype, half.dtype());
                        float[] got = half.cast(DType.F32).toFloatArray();
                        assertEquals(want.length, got.length);
                        for (int i = 0; i < want.length; i++) {
                            double err = Math.abs(want[i] - got[i]);
                            int at = i;
                            assertTrue(err <= tolerance * (1 + Math.abs(want[i])), () -> "element " + at + ": F32 " + want[at] + ", " + dtype + " " + got[at]);
                        }
                    }
                }));
            }
            tests.add(DynamicTest.dynamicTest(dtype + " rand", () -> {
                try (TensorScope ignored = TensorScope.open()) {
                    float[] u = t.rand(Shape.of(1000), dtype, 9).cast(DType.F32).toFloatArray();
                    double mean = 0;
                    for (float v : u) {
                        assertTrue(v >= 0 && v < 1, "uniform value " + v);
                        mean += v / u.length;
                    }
                    assertEquals(0.5, mean, 0.05);
                }
            }));
        }
        return tests;
    }
}
