package dev.llmforge.benchmarks.tensorflow;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.benchmarks.pretrain.ProcessMemory;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Native memory must stay flat on TensorFlow: (1) 100,000 small eager ops (uploads, adds, muls,
 * matmuls and fused softmaxes on [64,128] F32, one read-back per scope) in scopes of 120 ops;
 * (2) the same 120-op body captured as a step and run until 100,000 ops have run; (3) 200 captured
 * steps each compiled and closed again (a graph and session per step). Prints the resident set size (VmRSS)
 * and the live TensorFlow tensor count after each phase's warm-up and at its end; exits with
 * status 1 if RSS grew by more than the allowance after a warm-up, or if tensors are left open.
 *
 * <p>Run it with a fixed, pre-touched heap, so that RSS changes are native memory and not the Java
 * heap growing into its reservation:
 *
 * <pre>
 * java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.llmforge.benchmarks.tensorflow.NativeMemoryBenchmark [ops]
 * </pre>
 */
public final class NativeMemoryBenchmark {
    /** Ops per unit of work: 20 times upload, add, mul, matmul, softmax, matmul. */
    private static final int UNIT_OPS = 120;
    /** RSS growth tolerated after a warm-up: allocator and JIT noise, far below one leaked tensor per op. */
    private static final long ALLOWANCE_KB = 16 * 1024;

    private NativeMemoryBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Backend backend = Backends.get("tensorflow");
        Tensor a = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor b = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 2);
        float[] host = new float[64 * 128];
        long liveAtStart = backend.liveTensorCount();
        report("start", ProcessMemory.rssKb(), liveAtStart);

        int units = total / UNIT_OPS;
        boolean flat = phase("eager", units, backend, () -> {
            try (TensorScope ignored = TensorScope.open()) {
                body(backend, a, b, host).toFloatArray();
            }
        });
        try (CompiledStep step = StepCompiler.compile(backend, in -> List.of(body(backend, in.get(0), in.get(1), host)))) {
            flat &= phase("captured step, one graph", units, backend, () -> {
                try (TensorScope ignored = TensorScope.open()) {
                    step.run(a, b).get(0).toFloatArray();
                }
            });
        }
        flat &= phase("captured step compiled and closed each time", 200, backend, () -> {
            try (CompiledStep step = StepCompiler.compile(backend, in -> List.of(body(backend, in.get(0), in.get(1), host)));
                 TensorScope ignored = TensorScope.open()) {
                step.run(a, b).get(0).toFloatArray();
            }
        });
        long liveEnd = backend.liveTensorCount();
        flat &= liveEnd == liveAtStart;
        System.out.printf(Locale.ROOT, "live tensors %d -> %d; overall: %s%n", liveAtStart, liveEnd, flat ? "FLAT" : "GROWING");
        a.close();
        b.close();
        if (!flat) {
            System.exit(1);
        }
    }

    /** {@value #UNIT_OPS} ops, each iteration feeding the next; returns the last result (64, 128). */
    private static Tensor body(Backend backend, Tensor a, Tensor b, float[] host) {
        Tensor x = a;
        for (int i = 0; i < UNIT_OPS / 6; i++) {
            Tensor up = Tensor.on(backend).of(host, 64, 128);
            Tensor p = x.add(up).mul(b);
            Tensor attention = FusedOps.softmax(p.matmul(a, false, true)); // (64, 64)
            x = attention.matmul(a); // (64, 128)
        }
        return x;
    }

    /** Runs {@code unit} {@code times} times, measuring RSS after the first tenth; true if it stayed flat. */
    private static boolean phase(String name, int times, Backend backend, Runnable unit) throws IOException {
        long started = System.nanoTime();
        long rssWarm = 0;
        for (int i = 1; i <= times; i++) {
            unit.run();
            if (i == Math.max(1, times / 10)) {
                System.gc();
                rssWarm = ProcessMemory.rssKb();
                report(name + ": after " + i + " of " + times, rssWarm, backend.liveTensorCount());
            }
        }
        System.gc();
        long rssEnd = ProcessMemory.rssKb();
        report(name + String.format(Locale.ROOT, ": end (%.1f s)", (System.nanoTime() - started) / 1e9), rssEnd, backend.liveTensorCount());
        long growth = rssEnd - rssWarm;
        System.out.printf(Locale.ROOT, "  RSS growth after warm-up: %+d KiB (allowance %d KiB)%n", growth, ALLOWANCE_KB);
        return growth <= ALLOWANCE_KB;
    }

    private static void report(String when, long rssKb, long live) {
        System.out.printf(Locale.ROOT, "%-58s RSS %8.1f MiB   live tensors %d%n", when, rssKb / 1024.0, live);
    }
}
