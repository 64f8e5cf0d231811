package dev.llmforge.benchmarks.nd4j;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.backend.nd4j.Nd4jBackend;
import dev.llmforge.benchmarks.pretrain.ProcessMemory;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.util.Locale;

/**
 * ND4J's arrays live off the Java heap and the backend frees them when core closes their tensors,
 * never through the garbage collector: this runs 100,000 small ops (add, mul, matmul, a host upload,
 * a fused softmax and a reshape, on [64,128] F32, plus one read-back per scope) in scopes of 100
 * ops, without ever calling {@code System.gc()}, and prints the resident set size (VmRSS), the
 * live tensor count, the native allocations and the pooled bytes at the start, after a warm-up and
 * at the end. Exits with status 1 if RSS grew by more than the allowance after the warm-up, if
 * tensors are left open, or if the ops kept allocating native arrays instead of reusing them.
 *
 * <p>Run it with a small fixed Java heap ({@code -Xmx64m}): with the default heap the garbage
 * collector keeps touching fresh heap pages for the small Java objects each op leaves behind
 * (hundreds of MiB of RSS with no native allocation at all; backend-nd4j's README has the figure),
 * which would hide what native memory does. Without a heap of at most 256 MiB it prints the
 * figures and exits with status 2 instead of a verdict.
 *
 * <pre>
 * java -Xmx64m -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.llmforge.benchmarks.nd4j.NativeMemoryBenchmark [ops]
 * </pre>
 */
public final class NativeMemoryBenchmark {
    private static final int SCOPE_OPS = 100;
    /** RSS growth tolerated after the warm-up: allocator and JIT noise, far below one leaked array per op. */
    private static final long ALLOWANCE_KB = 16 * 1024;
    private static final long MAX_HEAP_FOR_VERDICT = 256L << 20;

    private NativeMemoryBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int warmUp = total / 10;
        Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
        Tensor a = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor b = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 2);
        float[] host = new float[64 * 128];
        long liveAtStart = backend.liveTensorCount();
        report("start", backend);

        long rssWarm = 0;
        long allocationsWarm = 0;
        long started = System.nanoTime();
        int done = 0;
        while (done < total) {
            try (TensorScope ignored = TensorScope.open()) {
                Tensor y = null;
                for (int i = 0; i < SCOPE_OPS; i += 6) {
                    Tensor s = a.add(b);
                    Tensor p = s.mul(b);
                    p.matmul(a, false, true);                   // (64, 64)
                    Tensor up = Tensor.on(backend).of(host, 64, 128);
                    y = FusedOps.softmax(up).reshape(128, 64);
                }
                y.toFloatArray();                               // one read-back per scope
            }
            done += SCOPE_OPS;
            if (done == warmUp) {
                rssWarm = ProcessMemory.rssKb();
                allocationsWarm = backend.nativeAllocations();
                report("after warm-up (" + warmUp + " ops)", backend);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long rssEnd = ProcessMemory.rssKb();
        long liveEnd = backend.liveTensorCount();
        report("end (" + total + " ops, " + String.format(Locale.ROOT, "%.1f s", seconds) + ")", backend);

        long growth = rssEnd - rssWarm;
        long newAllocations = backend.nativeAllocations() - allocationsWarm;
        boolean flat = growth <= ALLOWANCE_KB && liveEnd == liveAtStart && newAllocations == 0;
        System.out.printf(Locale.ROOT, "RSS growth after warm-up: %+d KiB (allowance %d KiB); live tensors %d -> %d; "
                + "native allocations after warm-up: %d: %s%n", growth, ALLOWANCE_KB, liveAtStart, liveEnd, newAllocations,
                flat ? "FLAT" : "GROWING");
        a.close();
        b.close();
        if (Runtime.getRuntime().maxMemory() > MAX_HEAP_FOR_VERDICT) {
            System.out.printf(Locale.ROOT, "no verdict: the Java heap may grow to %d MiB; run with -Xmx64m%n",
                    Runtime.getRuntime().maxMemory() >> 20);
            System.exit(2);
        }
        if (!flat) {
            System.exit(1);
        }
    }

    private static void report(String when, Nd4jBackend backend) throws IOException {
        System.out.printf(Locale.ROOT, "%-30s RSS %7.1f MiB   live tensors %d   native allocations %d   pooled %.1f KiB%n", when,
                ProcessMemory.rssKb() / 1024.0, backend.liveTensorCount(), backend.nativeAllocations(), backend.pooledBytes() / 1024.0);
    }
}
