package dev.llmforge.benchmarks.nd4j;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.backend.nd4j.Nd4jBackend;
import dev.llmforge.benchmarks.OpTiming;
import dev.llmforge.benchmarks.OpTiming.Case;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-op cost of llmforge on ND4J next to raw ND4J: the same op through llmforge
 * ({@code Tensor.add} inside a {@link TensorScope} that closes its results every 100 ops) and
 * through ND4J's own API ({@code INDArray.add}, results closed every 100 ops), alternating batch by
 * batch so machine noise hits both alike; each round runs about 40 ms of batches per path. Prints
 * µs/op (the median over all batches) and the ratio. llmforge calls libnd4j directly on pooled
 * outputs, so it can be cheaper than ND4J's own API, which builds an op object, a native context
 * and a fresh array per call.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.llmforge.benchmarks.nd4j.DispatchOverheadBenchmark [rounds]
 * </pre>
 */
public final class DispatchOverheadBenchmark {

    private DispatchOverheadBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
        System.out.printf(Locale.ROOT, "llmforge on %s (%d OpenBLAS, %d OpenMP threads), %d rounds of ~%.0f ms per op and path%n",
                backend.name(), backend.settings().threads(), backend.settings().ompThreads(), rounds, OpTiming.ROUND_MILLIS);

        Tensor a = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor b = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 2);
        Tensor tiny = Tensor.on(backend).randn(Shape.of(4), DType.F32, 3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 128);
        INDArray y = Nd4j.randn(DataType.FLOAT, 64, 128);
        INDArray yt = y.transpose().dup('c'); // the raw matmul gets its transposed operand ready-made
        INDArray small = Nd4j.randn(DataType.FLOAT, 4);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("add [64,128] F32", n -> ours(n, () -> a.add(b)), n -> raw(n, () -> x.add(y))));
        cases.add(new Case("add [4] F32", n -> ours(n, () -> tiny.add(tiny)), n -> raw(n, () -> small.add(small))));
        cases.add(new Case("mul [64,128] F32", n -> ours(n, () -> a.mul(b)), n -> raw(n, () -> x.mul(y))));
        cases.add(new Case("matmul [64,128]x[64,128]^T F32", n -> ours(n, () -> a.matmul(b, false, true)), n -> raw(n, () -> x.mmul(yt))));
        cases.add(new Case("exp [64,128] F32", n -> ours(n, a::exp), n -> raw(n, () -> Transforms.exp(x, true))));
        cases.add(new Case("sum(last) [64,128] F32", n -> ours(n, () -> a.sum(new int[] {1}, true)), n -> raw(n, () -> x.sum(true, 1))));
        cases.add(new Case("softmax(last) [64,128] F32 (fused)", n -> ours(n, () -> FusedOps.softmax(a)),
                n -> raw(n, () -> Nd4j.exec(new SoftMax(x, -1))[0])));

        OpTiming.warmUp(cases);
        System.out.printf(Locale.ROOT, "%-38s %12s %12s %8s%n", "op", "llmforge", "raw ND4J", "ratio");
        for (Case c : cases) {
            OpTiming.Medians m = OpTiming.measure(c, rounds);
            System.out.printf(Locale.ROOT, "%-38s %9.2f us %9.2f us %7.2fx%n", c.name(), m.llmforge(), m.raw(), m.llmforge() / m.raw());
        }
        System.out.println("live tensors after the run: " + backend.liveTensorCount() + " (the 3 inputs)");
    }

    private static double ours(int ops, Supplier<Tensor> op) {
        return OpTiming.llmforgeMicros(ops, op);
    }

    private static double raw(int ops, Supplier<INDArray> op) {
        return OpTiming.rawMicros(ops, op, INDArray::close);
    }
}
