package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Dispatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a training step of llmforge's reference run goes: every kernel call core makes, counted
 * and timed per step with {@link Dispatch#observe}, against the step's wall time (the difference is
 * core's own work: validation, autograd, wrapping).
 *
 * <pre>
 * StepProfile [--backend djl] [--threads 1] [--warmup 30] [--iters 30] [--data PATH]
 * </pre>
 */
public final class StepProfile {
    private StepProfile() {
    }

    private static final class Stat {
        long calls;
        long nanos;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = PretrainRun.parse(args);
        int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
        PretrainRun.applyEngineSettings(threads);
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "30"));
        int iters = Integer.parseInt(o.getOrDefault("iters", "30"));
        ReferenceConfig cfg = ReferenceConfig.nanoGptShakespeareCharCpu();
        Path prepared = Files.createTempDirectory("llmforge-pretrain-data");
        CharCorpus corpus;
        try {
            corpus = CharCorpus.of(CharCorpus.prepare(Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT)), prepared));
        } finally {
            PretrainRun.deleteTree(prepared);
        }
        CharCorpus.Sampler train = corpus.sampler(true, cfg.batch(), cfg.block(), 1337);
        Map<String, Stat> stats = new TreeMap<>();
        try (LlmforgeGpt model = new LlmforgeGpt(cfg, corpus.vocab(), Backends.get(o.getOrDefault("backend", "djl")), 1337)) {
            for (int i = 0; i < warmup; i++) {
                long[][] b = train.next();
                model.trainStep(b[0], b[1], cfg.learningRate(i));
            }
            long wall = 0;
            try (Dispatch.Restore ignored = Dispatch.observe((op, backend, nanos) -> {
                Stat s = stats.computeIfAbsent(op, k -> new Stat());
                s.calls++;
                s.nanos += nanos;
            })) {
                for (int i = 0; i < iters; i++) {
                    long[][] b = train.next();
                    long t0 = System.nanoTime();
                    model.trainStep(b[0], b[1], cfg.learningRate(warmup + i));
                    wall += System.nanoTime() - t0;
                }
            }
            long kernelNanos = stats.values().stream().mapToLong(s -> s.nanos).sum();
            long calls = stats.values().stream().mapToLong(s -> s.calls).sum();
            System.out.printf(Locale.ROOT, "%s, %d threads: %.2f ms/step wall, %.2f ms in %d kernel calls (%.1f calls/step), %.2f ms core overhead%n",
                    model.describe(), threads, wall / 1e6 / iters, kernelNanos / 1e6 / iters, calls, (double) calls / iters,
                    (wall - kernelNanos) / 1e6 / iters);
            System.out.printf(Locale.ROOT, "%-36s %10s %12s %10s%n", "kernel", "calls/step", "µs/step", "µs/call");
            stats.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, Stat> e) -> e.getValue().nanos).reversed())
                    .forEach(e -> System.out.printf(Locale.ROOT, "%-36s %10.1f %12.0f %10.1f%n", e.getKey(), (double) e.getValue().calls / iters,
                            e.getValue().nanos / 1e3 / iters, e.getValue().nanos / 1e3 / e.getValue().calls));
        }
    }
}
