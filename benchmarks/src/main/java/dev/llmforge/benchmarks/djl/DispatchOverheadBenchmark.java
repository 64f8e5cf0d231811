package dev.llmforge.benchmarks.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.llmforge.autograd.FusedOps;
import dev.llmforge.backend.djl.DjlBackend;
import dev.llmforge.benchmarks.OpTiming;
import dev.llmforge.benchmarks.OpTiming.Case;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-op dispatch overhead of llmforge on PyTorch (DJL): the same op through llmforge
 * ({@code Tensor.add} inside a {@link TensorScope} that closes its results every 100 ops) and
 * through raw DJL ({@code NDArray.add}, results closed every 100 ops), alternating batch by batch
 * so machine noise hits both alike; each round runs about 40 ms of batches per path. Prints µs/op
 * (the median over all batches) and the difference, the per-op cost llmforge adds.
 *
 * <pre>
 * mvn -B -o -q -pl core,backend-djl install -DskipTests
 * mvn -B -o -q -pl benchmarks package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.llmforge.benchmarks.djl.DispatchOverheadBenchmark [rounds]
 * </pre>
 */
public final class DispatchOverheadBenchmark {
    private DispatchOverheadBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Backend backend = Backends.get("djl");
        // raw DJL arrays live in their own manager, so they do not show in the backend's live count
        NDManager djl = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        System.out.printf(Locale.ROOT, "llmforge on %s, %d PyTorch intra-op threads, %d rounds of ~%.0f ms per op and path%n",
                backend.name(), ((DjlBackend) backend).threads(), rounds, OpTiming.ROUND_MILLIS);

        List<Case> cases = new ArrayList<>();
        cases.add(binary("add [64,128] F32", backend, djl, 64, 128, Tensor::add, NDArray::add));
        cases.add(binary("add [4] F32", backend, djl, 1, 4, Tensor::add, NDArray::add));
        cases.add(binary("mul [64,128] F32", backend, djl, 64, 128, Tensor::mul, NDArray::mul));
        cases.add(binary("matmul [64,128]x[64,128]^T F32", backend, djl, 64, 128,
                (a, b) -> a.matmul(b, false, true), (a, b) -> a.matMul(b), true));
        cases.add(unary("exp [64,128] F32", backend, djl, Tensor::exp, NDArray::exp));
        cases.add(unary("sum(last) [64,128] F32", backend, djl, x -> x.sum(new int[] {1}, true), x -> x.sum(new int[] {1}, true)));
        cases.add(unary("softmax(last) [64,128] F32 (fused)", backend, djl, FusedOps::softmax, x -> x.softmax(-1)));

        OpTiming.warmUp(cases);
        System.out.printf(Locale.ROOT, "%-38s %12s %12s %12s %8s%n", "op", "llmforge", "raw DJL", "overhead", "ratio");
        for (Case c : cases) {
            OpTiming.Medians m = OpTiming.measure(c, rounds);
            System.out.printf(Locale.ROOT, "%-38s %9.3f us %9.3f us %9.3f us %7.2fx%n", c.name(), m.llmforge(), m.raw(),
                    m.llmforge() - m.raw(), m.llmforge() / m.raw());
        }
        System.out.println("live native tensors after the run: " + backend.liveTensorCount());
        djl.close();
    }

    private interface TensorBinary {
        Tensor apply(Tensor a, Tensor b);
    }

    private interface ArrayBinary {
        NDArray apply(NDArray a, NDArray b);
    }

    private interface TensorUnary {
        Tensor apply(Tensor a);
    }

    private interface ArrayUnary {
        NDArray apply(NDArray a);
    }

    private static Case binary(String name, Backend backend, NDManager djl, int rows, int cols, TensorBinary ours, ArrayBinary raw) {
        return binary(name, backend, djl, rows, cols, ours, raw, false);
    }

    /** With {@code transposeRaw} the raw DJL operand {@code y} is a transposed view made once, outside the timing. */
    private static Case binary(String name, Backend backend, NDManager djl, int rows, int cols, TensorBinary ours, ArrayBinary raw,
                               boolean transposeRaw) {
        Tensor a = Tensor.on(backend).randn(Shape.of(rows, cols), DType.F32, 1);
        Tensor b = Tensor.on(backend).randn(Shape.of(rows, cols), DType.F32, 2);
        NDArray x = djl.randomNormal(new ai.djl.ndarray.types.Shape(rows, cols), DataType.FLOAT32);
        NDArray generated = djl.randomNormal(new ai.djl.ndarray.types.Shape(rows, cols), DataType.FLOAT32);
        NDArray y = transposeRaw ? generated.transpose() : generated;
        return new Case(name, n -> OpTiming.llmforgeMicros(n, () -> ours.apply(a, b)),
                n -> OpTiming.rawMicros(n, () -> raw.apply(x, y), NDArray::close));
    }

    private static Case unary(String name, Backend backend, NDManager djl, TensorUnary ours, ArrayUnary raw) {
        Tensor a = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 3);
        NDArray x = djl.randomNormal(new ai.djl.ndarray.types.Shape(64, 128), DataType.FLOAT32);
        return new Case(name, n -> OpTiming.llmforgeMicros(n, () -> ours.apply(a)),
                n -> OpTiming.rawMicros(n, () -> raw.apply(x), NDArray::close));
    }
}
