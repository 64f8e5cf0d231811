package dev.llmforge.benchmarks.nd4j;

import static dev.llmforge.benchmarks.StepBenchmarkModel.BATCH;
import static dev.llmforge.benchmarks.StepBenchmarkModel.BLOCK;
import static dev.llmforge.benchmarks.StepBenchmarkModel.VOCAB;

import dev.llmforge.backend.djl.DjlBackend;
import dev.llmforge.backend.nd4j.Nd4jBackend;
import dev.llmforge.benchmarks.StepBenchmarkModel;
import dev.llmforge.model.Gpt;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput on ND4J as a ratio to PyTorch (DJL), in one JVM: the configuration of
 * {@code tensorflow.TrainingStepBenchmark} (nanoGPT's CPU settings: 4 layers, 4 heads, 128 wide,
 * block 64, batch 12, vocabulary 65, no dropout; AdamW with global-norm clipping at 1). Each
 * backend trains its own identically seeded model on the same random batches (uploaded inside
 * the timed step); the backends take turns in blocks of steps with a pause between blocks, so one
 * engine's OpenMP threads stop spinning before the other runs. Prints the median step time,
 * tokens/s and the ratio to DJL, then where ND4J's step time goes: every kernel call core made
 * during a few extra steps, by total time, and the rest (core's autograd, scopes, host copies).
 *
 * <pre>
 * mvn -B -o -q -pl core,backend-djl,backend-tensorflow,backend-nd4j install -DskipTests
 * mvn -B -o -q -pl benchmarks package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.llmforge.benchmarks.nd4j.TrainingStepBenchmark [rounds] [stepsPerBlock]
 * </pre>
 */
public final class TrainingStepBenchmark {
    private static final long PAUSE_MILLIS = 300;
    private static final int PROFILED_STEPS = 5;

    private TrainingStepBenchmark() {
    }

    /** One backend with its own model and optimiser. */
    private static final class Run implements AutoCloseable {
        final String name;
        final Backend backend;
        final Gpt model;
        final AdamW adamw;
        /** Applies this run's engine settings before each of its blocks. */
        final Runnable setUp;
        final List<Double> millis = new ArrayList<>();
        double lastLoss;

        Run(String name, Backend backend, Runnable setUp) {
            this.name = name;
            this.backend = backend;
            this.setUp = setUp;
            this.model = StepBenchmarkModel.gpt(backend);
            this.adamw = StepBenchmarkModel.adamw(model);
        }

        /** One step on the batch {@code (x, y)} given as host token ids; returns its milliseconds. */
        double step(long[] x, long[] y) {
            long start = System.nanoTime();
            try (TensorScope ignored = TensorScope.open()) {
                Tensor xs = Tensor.on(backend).of(x, BATCH, BLOCK);
                Tensor ys = Tensor.on(backend).of(y, BATCH, BLOCK);
                adamw.zeroGrad();
                Tensor loss = model.loss(xs, ys);
                loss.backward();
                GradClip.clipGlobalNorm(model.parameters(), 1.0);
                adamw.step();
                lastLoss = loss.item();
            }
            return (System.nanoTime() - start) / 1e6;
        }

        double medianMillis() {
            return StepBenchmarkModel.median(millis);
        }

        @Override
        public void close() {
            adamw.close();
            model.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int stepsPerBlock = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Backend torch = Backends.get("djl");
        Nd4jBackend nd4j = (Nd4jBackend) Backends.get("nd4j");
        int blas = nd4j.settings().threads();
        int omp = nd4j.settings().ompThreads();
        List<Run> runs = new ArrayList<>();
        runs.add(new Run("djl (PyTorch, eager)", torch, () -> { }));
        runs.add(new Run("nd4j", nd4j, () -> threads(blas, omp)));
        int cores = ((DjlBackend) torch).threads();
        if (cores > 1) { // the other ways to spend the same cores, for comparison (ND4J's thread settings are JVM-wide)
            runs.add(new Run(String.format(Locale.ROOT, "nd4j %d blas + %d omp", cores, cores), nd4j, () -> threads(cores, cores)));
            runs.add(new Run(String.format(Locale.ROOT, "nd4j 1 blas + %d omp", cores), nd4j, () -> threads(1, cores)));
        }
        System.out.printf(Locale.ROOT, "GPT 4x128, block %d, batch %d (%d tokens/step), vocab %d; %d rounds of %d steps per backend%n",
                BLOCK, BATCH, BATCH * BLOCK, VOCAB, rounds, stepsPerBlock);
        System.out.printf(Locale.ROOT, "%d processors; threads: PyTorch %d, nd4j %d OpenBLAS (blas) + %d OpenMP (omp) "
                + "(-Dllmforge.threads=N sets PyTorch's and OpenBLAS's, -Dllmforge.nd4j.ompThreads=N ND4J's OpenMP)%n",
                Runtime.getRuntime().availableProcessors(), cores, blas, omp);
        List<long[][]> batches = StepBenchmarkModel.batches(stepsPerBlock);
        for (Run r : runs) { // warm-up: JIT, pools and caches
            r.setUp.run();
            for (int i = 0; i < 5; i++) {
                r.step(batches.get(i % batches.size())[0], batches.get(i % batches.size())[1]);
            }
            Thread.sleep(PAUSE_MILLIS);
        }
        for (int round = 0; round < rounds; round++) {
            for (Run r : runs) {
                r.setUp.run();
                for (long[][] b : batches) {
                    r.millis.add(r.step(b[0], b[1]));
                }
                Thread.sleep(PAUSE_MILLIS);
            }
        }
        double djl = runs.get(0).medianMillis();
        System.out.printf(Locale.ROOT, "%-24s %12s %12s %10s %10s%n", "backend", "ms/step", "tokens/s", "vs djl", "last loss");
        for (Run r : runs) {
            double ms = r.medianMillis();
            System.out.printf(Locale.ROOT, "%-24s %12.2f %12.0f %9.2fx %10.4f%n", r.name, ms, BATCH * BLOCK / (ms / 1e3), djl / ms, r.lastLoss);
        }
        runs.get(1).setUp.run();
        profile(runs.get(1), batches);
        System.out.printf(Locale.ROOT, "nd4j: %d native array allocations in total, %.1f MiB pooled, %d live tensors%n",
                nd4j.nativeAllocations(), nd4j.pooledBytes() / 1048576.0, nd4j.liveTensorCount());
        for (Run r : runs) {
            r.close();
        }
    }

    /** Sets ND4J's OpenBLAS and OpenMP thread counts (JVM-wide; neither changes the caller's OpenMP setting). */
    private static void threads(int blas, int omp) {
        Nd4j.getEnvironment().setMaxThreads(omp);
        Nd4j.getEnvironment().setMaxMasterThreads(omp);
        Nd4j.factory().blas().setMaxThreads(blas);
    }

    /** Runs a few steps with a kernel observer and prints where the time went. */
    private static void profile(Run run, List<long[][]> batches) {
        Map<String, long[]> byOp = new HashMap<>(); // op -> {calls, nanos}
        double stepMillis = 0;
        try (var ignored = Dispatch.observe((op, backend, nanos) -> {
            long[] s = byOp.computeIfAbsent(op, k -> new long[2]);
            s[0]++;
            s[1] += nanos;
        })) {
            for (int i = 0; i < PROFILED_STEPS; i++) {
                long[][] b = batches.get(i % batches.size());
                stepMillis += run.step(b[0], b[1]);
            }
        }
        double kernelMillis = byOp.values().stream().mapToLong(s -> s[1]).sum() / 1e6;
        long calls = byOp.values().stream().mapToLong(s -> s[0]).sum();
        System.out.printf(Locale.ROOT, "%nwhere an nd4j step goes (%d observed steps, %.2f ms/step): %d kernel calls/step, %.2f ms/step in kernels "
                + "(%.1f us/call), %.2f ms/step outside them%n", PROFILED_STEPS, stepMillis / PROFILED_STEPS, calls / PROFILED_STEPS,
                kernelMillis / PROFILED_STEPS, kernelMillis * 1e3 / calls, (stepMillis - kernelMillis) / PROFILED_STEPS);
        System.out.printf(Locale.ROOT, "%-34s %10s %12s %10s%n", "kernel", "calls/step", "ms/step", "us/call");
        byOp.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed()).limit(20)
                .forEach(e -> System.out.printf(Locale.ROOT, "%-34s %10d %12.3f %10.1f%n", e.getKey(), e.getValue()[0] / PROFILED_STEPS,
                        e.getValue()[1] / 1e6 / PROFILED_STEPS, e.getValue()[1] / 1e3 / e.getValue()[0]));
    }
}
