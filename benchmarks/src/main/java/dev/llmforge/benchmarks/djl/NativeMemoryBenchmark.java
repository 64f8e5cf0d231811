package dev.llmforge.benchmarks.djl;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.benchmarks.pretrain.ProcessMemory;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Native memory must not grow across scopes: runs 100,000 small ops on PyTorch (add, mul, matmul,
 * a host upload and a fused softmax, all on [64,128] F32, plus one read-back per scope) in scopes of
 * 100 ops, and prints the
 * resident set size (VmRSS from /proc/self/status) and the backend's live native tensor count at
 * the start, after a warm-up (20% of the ops) and then every 20%. Exits with status 1 if RSS grew by
 * more than the allowance after the warm-up, or if tensors are left open. Run it with a fixed,
 * pre-touched Java heap, so that RSS moves only with native memory (and JIT code):
 *
 * <pre>
 * java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.llmforge.benchmarks.djl.NativeMemoryBenchmark [ops]
 * </pre>
 */
public final class NativeMemoryBenchmark {
    private static final int SCOPE_OPS = 100;
    /** RSS growth tolerated after the warm-up: allocator and JIT noise, far below one leaked array per op. */
    private static final long ALLOWANCE_KB = 16 * 1024;

    private NativeMemoryBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int warmUp = total / 5;
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!jvm.contains("-XX:+AlwaysPreTouch")) {
            System.out.println("note: without -Xms=-Xmx and -XX:+AlwaysPreTouch, Java heap growth shows in RSS too");
        }
        Backend backend = Backends.get("djl");
        Tensor a = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 1);
        Tensor b = Tensor.on(backend).randn(Shape.of(64, 128), DType.F32, 2);
        float[] host = new float[64 * 128];
        long liveAtStart = backend.liveTensorCount();
        long rssStart = ProcessMemory.rssKb();
        report("start", rssStart, liveAtStart);

        long rssWarm = 0;
        long started = System.nanoTime();
        int done = 0;
        while (done < total) {
            try (TensorScope ignored = TensorScope.open()) {
                Tensor y = null;
                for (int i = 0; i < SCOPE_OPS; i += 5) {
                    Tensor s = a.add(b);
                    Tensor p = s.mul(b);
                    p.matmul(a, false, true);                   // (64, 64)
                    Tensor up = Tensor.on(backend).of(host, 64, 128);
                    y = FusedOps.softmax(up);
                }
                y.toFloatArray();                               // one read-back per scope
            }
            done += SCOPE_OPS;
            if (done == warmUp) {
                System.gc();
                rssWarm = ProcessMemory.rssKb();
                report("after warm-up (" + warmUp + " ops)", rssWarm, backend.liveTensorCount());
            } else if (done > warmUp && done < total && done % warmUp == 0) {
                report("after " + done + " ops", ProcessMemory.rssKb(), backend.liveTensorCount());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.gc();
        long rssEnd = ProcessMemory.rssKb();
        long liveEnd = backend.liveTensorCount();
        report("end (" + total + " ops, " + String.format(Locale.ROOT, "%.1f s", seconds) + ")", rssEnd, liveEnd);

        long growth = rssEnd - rssWarm;
        boolean flat = growth <= ALLOWANCE_KB && liveEnd == liveAtStart;
        System.out.printf(Locale.ROOT, "RSS growth after warm-up: %+d KiB (allowance %d KiB); live tensors %d -> %d: %s%n",
                growth, ALLOWANCE_KB, liveAtStart, liveEnd, flat ? "FLAT" : "GROWING");
        a.close();
        b.close();
        if (!flat) {
            System.exit(1);
        }
    }

    private static void report(String when, long rssKb, long live) {
        System.out.printf(Locale.ROOT, "%-36s RSS %8.1f MiB   live native tensors %d%n", when, rssKb / 1024.0, live);
    }
}
