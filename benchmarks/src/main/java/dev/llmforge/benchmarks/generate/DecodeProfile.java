package dev.llmforge.benchmarks.generate;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.generate.DecodeStep;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.Generator;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.nn.KvCache;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a batch-1 decode step of the shakespeare-char model goes (issue 15): the kernel calls core makes
 * per generated token, counted and timed with {@link Dispatch#observe}, against the step's wall and
 * thread CPU time (the difference is core's own work), and the whole generation's time per token (the
 * difference to the step is sampling, the host copy of the logits and the session's bookkeeping).
 * Decode steps run over a cache holding 1 to 63 positions (within the context, no refill), as
 * {@link Generator} runs them; on the backend named by {@code -Dllmforge.backend} (default djl).
 *
 * <pre>
 * java -Dllmforge.threads=1 -cp "$CP" dev.llmforge.benchmarks.generate.DecodeProfile [-Drounds=20]
 * </pre>
 */
public final class DecodeProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DecodeProfile() {
    }

    private static final class Stat {
        long calls;
        long nanos;
    }

    public static void main(String[] args) {
        Backend backend = Backends.get(System.getProperty("llmforge.backend", "djl"));
        int rounds = Integer.getInteger("rounds", 20);
        GptConfig config = GptConfig.shakespeareChar(65);
        int steps = config.blockSize() - 1;
        try (Gpt model = new Gpt(config, backend, 1337); Generator generator = new Generator(model); DecodeStep decode = new DecodeStep(model)) {
            model.eval();
            GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(steps).temperature(0).build();
            Map<String, Stat> stats = new TreeMap<>();
            long stepWall = 0;
            long stepCpu = 0;
            long genWall = 0;
            long genCpu = 0;
            for (int r = -3; r < rounds; r++) { // three warm-up rounds
                boolean timed = r >= 0;
                long[] t = decodeSteps(model, decode, steps, timed ? stats : null);
                long w0 = System.nanoTime();
                long c0 = THREADS.getCurrentThreadCpuTime();
                generator.generate(List.of(new int[] {0}), greedy, null);
                if (timed) {
                    stepWall += t[0];
                    stepCpu += t[1];
                    genCpu += THREADS.getCurrentThreadCpuTime() - c0;
                    genWall += System.nanoTime() - w0;
                }
            }
            long tokens = (long) rounds * steps;
            long kernelNanos = stats.values().stream().mapToLong(s -> s.nanos).sum();
            long calls = stats.values().stream().mapToLong(s -> s.calls).sum();
            System.out.printf(Locale.ROOT, "decode profile: backend %s, %s model (%,d parameters), batch 1, %s steps, %d tokens per round, %d rounds%n",
                    backend.name(), "shakespeare-char", model.parameterCount(), decode.isCompiled() ? "compiled" : "eager", steps, rounds);
            System.out.printf(Locale.ROOT, "decode step (ids upload, step, logits to the host): %.1f µs wall, %.1f µs thread CPU per token; "
                    + "%.1f µs in %.1f kernel calls; core's own work %.1f µs%n", stepWall / 1e3 / tokens, stepCpu / 1e3 / tokens,
                    kernelNanos / 1e3 / tokens, (double) calls / tokens, (stepWall - kernelNanos) / 1e3 / tokens);
            System.out.printf(Locale.ROOT, "whole greedy generation (Generator, %d tokens): %.1f µs wall, %.1f µs thread CPU per token (%.0f tokens/s)%n",
                    steps, genWall / 1e3 / tokens, genCpu / 1e3 / tokens, tokens / (genWall / 1e9));
            System.out.printf(Locale.ROOT, "%-28s %10s %12s %10s%n", "kernel", "calls/token", "µs/token", "µs/call");
            stats.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, Stat> e) -> e.getValue().nanos).reversed())
                    .forEach(e -> System.out.printf(Locale.ROOT, "%-28s %10.1f %12.1f %10.2f%n", e.getKey(), (double) e.getValue().calls / tokens,
                            e.getValue().nanos / 1e3 / tokens, e.getValue().nanos / 1e3 / e.getValue().calls));
        }
    }

    /**
     * {@code steps} decode steps after a one-token prompt, as the generator runs them (ids uploaded, logits read
     * to the host); kernel calls go to {@code stats} if not null. Returns {wall, thread CPU} nanoseconds of the steps.
     */
    private static long[] decodeSteps(Gpt model, DecodeStep decode, int steps, Map<String, Stat> stats) {
        long wall = 0;
        long cpu = 0;
        try (GradMode.Restore ignored = GradMode.noGrad(); KvCache cache = decode.newCache()) {
            try (TensorScope prompt = TensorScope.open()) {
                model.nextTokenLogits(Tensor.on(model.parameters().get(0).backend()).of(new long[] {0}, 1, 1), cache).toFloatArray();
            }
            long token = 0;
            for (int i = 0; i < steps; i++) {
                long w0 = System.nanoTime();
                long c0 = THREADS.getCurrentThreadCpuTime();
                try (TensorScope step = TensorScope.open();
                     Dispatch.Restore observing = stats == null ? () -> { } : Dispatch.observe((op, be, nanos) -> {
                         Stat s = stats.computeIfAbsent(op, k -> new Stat());
                         s.calls++;
                         s.nanos += nanos;
                     })) {
                    float[] logits = decode.logits(Tensor.on(model.parameters().get(0).backend()).of(new long[] {token}, 1, 1), cache).toFloatArray();
                    token = argmax(logits);
                }
                cpu += THREADS.getCurrentThreadCpuTime() - c0;
                wall += System.nanoTime() - w0;
            }
        }
        return new long[] {wall, cpu};
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
