package dev.llmforge.benchmarks.tensorflow;

import dev.llmforge.backend.tensorflow.TensorFlowBackend;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Per-op cost of a [64,128] F32 add through llmforge: on TensorFlow eagerly (one TensorFlow op per
 * call, results closed by a scope every 100 ops), on TensorFlow captured (a step of 100 chained
 * adds recorded and run as one graph: the whole step time, and the part spent in TensorFlow), and
 * on PyTorch through DJL eagerly for comparison. The paths alternate batch by batch so machine
 * noise hits them alike; prints the median µs/op of each.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.llmforge.benchmarks.tensorflow.DispatchOverheadBenchmark [batches]
 * </pre>
 */
public final class DispatchOverheadBenchmark {
    private static final int OPS = 100;

    private DispatchOverheadBenchmark() {
    }

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Backend tf = Backends.get("tensorflow");
        Backend djl = Backends.get("djl");
        System.out.printf(Locale.ROOT, "[64,128] F32 add, batches of %d ops, %d batches; TensorFlow %d intra-op threads%n", OPS, batches,
                ((TensorFlowBackend) tf).threads());
        Tensor a = Tensor.on(tf).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor b = Tensor.on(tf).randn(Shape.of(64, 128), DType.F32, 2);
        Tensor da = Tensor.on(djl).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor db = Tensor.on(djl).randn(Shape.of(64, 128), DType.F32, 2);
        CompiledStep chain = StepCompiler.compile(tf, in -> {
            Tensor y = in.get(0);
            for (int i = 0; i < OPS; i++) {
                y = y.add(in.get(1));
            }
            return List.of(y);
        });
        double[] graphMillis = new double[1];
        List<Path> paths = List.of(
                new Path("tensorflow eager", () -> eager(a, b)),
                new Path("tensorflow captured, whole step", () -> {
                    long start = System.nanoTime();
                    try (TensorScope ignored = TensorScope.open()) {
                        chain.run(a, b);
                    }
                    graphMillis[0] = chain.stats().lastRunMillis();
                    return (System.nanoTime() - start) / 1e3 / OPS;
                }),
                new Path("tensorflow captured, graph run only", () -> graphMillis[0] * 1e3 / OPS),
                new Path("djl (PyTorch) eager", () -> eager(da, db)));
        for (int i = 0; i < batches / 10 + 20; i++) { // warm-up, compilation
            for (Path p : paths) {
                p.timing.getAsDouble();
            }
        }
        for (int i = 0; i < batches; i++) {
            for (Path p : paths) {
                p.micros.add(p.timing.getAsDouble());
            }
        }
        for (Path p : paths) {
            System.out.printf(Locale.ROOT, "%-38s %8.3f us/op%n", p.name, p.median());
        }
        System.out.printf(Locale.ROOT, "captured step: %d ops recorded, %d compilation(s); live TensorFlow tensors %d%n",
                chain.stats().lastOps(), chain.stats().compilations(), tf.liveTensorCount());
        chain.close();
        for (Tensor t : new Tensor[] {a, b, da, db}) {
            t.close();
        }
    }

    /** µs per add over one scope of OPS adds. */
    private static double eager(Tensor a, Tensor b) {
        long start = System.nanoTime();
        try (TensorScope ignored = TensorScope.open()) {
            for (int i = 0; i < OPS; i++) {
                a.add(b);
            }
        }
        return (System.nanoTime() - start) / 1e3 / OPS;
    }

    private static final class Path {
        final String name;
        final DoubleSupplier timing;
        final List<Double> micros = new ArrayList<>();

        Path(String name, DoubleSupplier timing) {
            this.name = name;
            this.timing = timing;
        }

        double median() {
            double[] m = micros.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(m);
            return m[m.length / 2];
        }
    }
}
