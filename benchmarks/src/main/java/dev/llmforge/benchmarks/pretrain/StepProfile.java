package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.model.Gpt;
import dev.llmforge.optim.AdamW;
import dev.llmforge.optim.GradClip;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where an eager training step of llmforge's reference model goes: every kernel call core makes,
 * counted and timed per phase (forward, backward, clipping and AdamW) with {@link Dispatch#observe},
 * against each phase's wall time (the difference is core's own work: validation, autograd, wrapping),
 * and the minor page faults and kernel CPU time per step (memory given back and faulted in again).
 * The loop is the one of {@link LlmforgeGpt} without the step capture, and calls
 * {@link Backend#releaseFreedMemory()} after each step as the Trainer does. At the end, the step's
 * linear-layer products against the same products timed alone ({@link LayerGemmProbe}) and the
 * square-GEMM peak ({@link GemmProbe}, F32 through DJL): how far the step's MFU can go on this engine.
 *
 * <pre>
 * StepProfile [--backend djl] [--size 0.8m|10.7m|124m] [--threads 1] [--warmup 30] [--iters 30] [--data PATH]
 * </pre>
 */
public final class StepProfile {
    private StepProfile() {
    }

    private enum Phase { FORWARD, BACKWARD, UPDATE }

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
        ReferenceConfig cfg = ReferenceConfig.size(o.getOrDefault("size", ReferenceConfig.nanoGptShakespeareCharCpu().name()));
        Path prepared = Files.createTempDirectory("llmforge-pretrain-data");
        Corpus corpus;
        try {
            corpus = Corpus.of(Corpus.prepare(Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT)), cfg.tokenizer(), prepared));
        } finally {
            PretrainRun.deleteTree(prepared);
        }
        Corpus.Sampler train = corpus.sampler(true, cfg.batch(), cfg.block(), 1337);
        Backend backend = Backends.get(o.getOrDefault("backend", "djl"));
        Map<String, Stat> stats = new TreeMap<>();
        Map<Phase, Long> wall = new EnumMap<>(Phase.class);
        Phase[] current = {Phase.FORWARD};
        try (Gpt model = new Gpt(cfg.model(corpus.vocab()), backend, 1337);
             AdamW adamw = AdamW.builder(model.namedParameters()).lr(cfg.maxLr()).betas(cfg.beta1(), cfg.beta2()).eps(cfg.eps())
                     .weightDecay(cfg.weightDecay()).build()) {
            List<Tensor> parameters = model.parameters();
            long faultsAtStart = 0;
            double sysMillisAtStart = 0;
            for (int i = 0; i < warmup + iters; i++) {
                boolean timed = i >= warmup;
                if (i == warmup) {
                    faultsAtStart = ProcessMemory.minorFaults();
                    sysMillisAtStart = ProcessMemory.systemCpuMillis();
                }
                long[][] b = train.next();
                adamw.setLearningRate(cfg.learningRate(i));
                try (TensorScope ignored = TensorScope.open();
                     Dispatch.Restore observing = timed ? Dispatch.observe((op, be, nanos) -> {
                         Stat s = stats.computeIfAbsent(current[0].name().toLowerCase(Locale.ROOT) + " " + op, k -> new Stat());
                         s.calls++;
                         s.nanos += nanos;
                     }) : () -> { }) {
                    long t0 = System.nanoTime();
                    current[0] = Phase.FORWARD;
                    adamw.zeroGrad();
                    Tensor loss = model.loss(Tensor.on(backend).of(b[0], cfg.batch(), cfg.block()),
                            Tensor.on(backend).of(b[1], cfg.batch(), cfg.block()));
                    long t1 = System.nanoTime();
                    current[0] = Phase.BACKWARD;
                    loss.backward();
                    long t2 = System.nanoTime();
                    current[0] = Phase.UPDATE;
                    GradClip.clipGlobalNorm(parameters, cfg.gradClip());
                    adamw.step();
                    loss.item();
                    long t3 = System.nanoTime();
                    if (timed) {
                        wall.merge(Phase.FORWARD, t1 - t0, Long::sum);
                        wall.merge(Phase.BACKWARD, t2 - t1, Long::sum);
                        wall.merge(Phase.UPDATE, t3 - t2, Long::sum);
                    }
                }
                backend.releaseFreedMemory();
            }
            long faults = ProcessMemory.minorFaults() - faultsAtStart;
            double sysMillis = ProcessMemory.systemCpuMillis() - sysMillisAtStart;
            long stepNanos = wall.values().stream().mapToLong(Long::longValue).sum();
            long kernelNanos = stats.values().stream().mapToLong(s -> s.nanos).sum();
            long calls = stats.values().stream().mapToLong(s -> s.calls).sum();
            System.out.printf(Locale.ROOT, "llmforge on %s (eager), size %s (%s), %d threads, %d steps after %d warm-up%n", backend.name(),
                    cfg.name(), cfg.describeShape(), threads, iters, warmup);
            System.out.printf(Locale.ROOT, "%.2f ms/step wall, %.2f ms in %d kernel calls (%.1f calls/step), %.2f ms core overhead; "
                    + "%.0f minor page faults and %.0f ms kernel CPU per step%n", stepNanos / 1e6 / iters, kernelNanos / 1e6 / iters, calls,
                    (double) calls / iters, (stepNanos - kernelNanos) / 1e6 / iters, (double) faults / iters, sysMillis / iters);
            for (Phase p : Phase.values()) {
                long k = stats.entrySet().stream().filter(e -> e.getKey().startsWith(p.name().toLowerCase(Locale.ROOT) + " "))
                        .mapToLong(e -> e.getValue().nanos).sum();
                System.out.printf(Locale.ROOT, "  %-9s %9.2f ms wall, %9.2f ms in kernels%n", p.name().toLowerCase(Locale.ROOT),
                        wall.getOrDefault(p, 0L) / 1e6 / iters, k / 1e6 / iters);
            }
            System.out.printf(Locale.ROOT, "%-36s %10s %12s %10s%n", "phase and kernel", "calls/step", "µs/step", "µs/call");
            stats.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, Stat> e) -> e.getValue().nanos).reversed())
                    .forEach(e -> System.out.printf(Locale.ROOT, "%-36s %10.1f %12.0f %10.1f%n", e.getKey(), (double) e.getValue().calls / iters,
                            e.getValue().nanos / 1e3 / iters, e.getValue().nanos / 1e3 / e.getValue().calls));
            long matmulNanos = stats.entrySet().stream().filter(e -> e.getKey().endsWith(" matmul")).mapToLong(e -> e.getValue().nanos).sum();
            reportMatrixProducts(backend, cfg, corpus.vocab(), stepNanos / 1e6 / iters, matmulNanos / 1e6 / iters);
        }
    }

    /**
     * The step's linear-layer products (attention's own products are inside its fused kernel) against
     * the same products timed alone and the square-GEMM peak, and the MFU the step would reach if
     * everything but those products took no time.
     */
    private static void reportMatrixProducts(Backend backend, ReferenceConfig cfg, int vocab, double stepMillis, double matmulMillis) {
        LayerGemmProbe.Result alone = LayerGemmProbe.measure(backend, cfg, vocab);
        double peak = GemmProbe.peakGflops();
        double modelGflopPerStep = cfg.flopsPerToken(vocab) * cfg.tokensPerIter() / 1e9;
        System.out.printf(Locale.ROOT, "linear-layer products: %.1f GFLOP per step; in the step %.1f ms (%.1f GFLOP/s), alone %.1f ms (%.1f GFLOP/s)%n",
                alone.gflopPerStep(), matmulMillis, alone.gflopPerStep() / (matmulMillis / 1e3), alone.millisPerStep(), alone.gflops());
        for (LayerGemmProbe.LinearTiming t : alone.shapes()) {
            System.out.printf(Locale.ROOT, "  alone, %d × linear %d -> %d over %d rows: x·Wᵀ %.1f, dy·W %.1f, dyᵀ·x %.1f GFLOP/s%n", t.count(), t.in(),
                    t.out(), t.rows(), t.gflops(t.forwardNanos()), t.gflops(t.inputGradNanos()), t.gflops(t.weightGradNanos()));
        }
        System.out.printf(Locale.ROOT, "square-GEMM peak %.1f GFLOP/s; model %.1f GFLOP per step: MFU %.1f%%, %.1f%% if only the products alone took time%n",
                peak, modelGflopPerStep, 100 * modelGflopPerStep / (stepMillis / 1e3) / peak,
                100 * modelGflopPerStep / (alone.millisPerStep() / 1e3) / peak);
    }
}
