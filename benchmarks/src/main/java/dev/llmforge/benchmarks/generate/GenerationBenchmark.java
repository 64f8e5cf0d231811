package dev.llmforge.benchmarks.generate;

import dev.llmforge.generate.DecodeStep;
import dev.llmforge.generate.GenerationConfig;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.Generator;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generation speed for the shakespeare-char "baby GPT" shape (vocab 65, context 64, 4 layers,
 * 4 heads, width 128, ~0.8M parameters), with and without the KV cache, on the backend named by
 * {@code -Dllmforge.backend} (default djl). Sampling as nanoGPT's sample.py (temperature 0.8,
 * top-k 200), from a one-token prompt, batch 1 and a batch of prompts.
 *
 * <p>Then, for each of the {@code largeBatches} (default 16 and 64), batched sampling as above (B
 * samples of 500 tokens), and rollouts as reinforcement learning samples them: B prompts of 1 to 32
 * tokens in one left-padded batch, 32 new tokens each (within the context), pure temperature 1,
 * taking turns with the same prompts generated one at a time.
 *
 * <p>Options (system properties): {@code tokens} (default 500, as sample.py), {@code repeats}
 * (timed runs per case, default 3), {@code batch} (samples in the batched case, default 10: sample.py's
 * {@code num_samples}), {@code largeBatches} (default {@code 16,64}; empty: none), {@code largeBatchesOnly}
 * (true: skip the batch-1 and batch-10 cases and the hand-written comparison).
 * Beyond the 64-token context the cached run restarts its cache from the last 32 tokens (a sliding
 * window) and the uncached run reads the last 64 tokens each step, as sample.py does.
 *
 * <p>On DJL it then decodes greedily, batch 1 with the cache, against {@link HandWrittenDjlDecoder}:
 * the same model written directly on DJL's API, taking turns in this JVM.
 */
public final class GenerationBenchmark {
    private static final int WARM_UP_RUNS = 3;

    private GenerationBenchmark() {
    }

    public static void main(String[] args) {
        String backendName = System.getProperty("llmforge.backend", "djl");
        int tokens = Integer.getInteger("tokens", 500);
        int repeats = Integer.getInteger("repeats", 3);
        int batch = Integer.getInteger("batch", 10);
        Backend backend = Backends.get(backendName);
        GptConfig config = GptConfig.shakespeareChar(65);
        try (Gpt model = new Gpt(config, backend, 1337); Generator generator = new Generator(model)) {
            model.eval();
            boolean compiled;
            try (DecodeStep probe = new DecodeStep(model)) {
                compiled = probe.isCompiled(); // what the generator's decode steps run: a compiled step over a fixed-size cache, or eager
            }
            System.out.printf(Locale.ROOT, "generation benchmark: backend %s, model %s (%,d parameters), %d new tokens per prompt, "
                    + "decode steps %s%n", backend.name(), "shakespeare-char baby GPT", model.parameterCount(), tokens,
                    compiled ? "compiled (captured)" : "eager");
            GenerationConfig sampling = GenerationConfig.builder().maxNewTokens(tokens).temperature(0.8).topK(200).seed(1337).build();
            if (!Boolean.getBoolean("largeBatchesOnly")) {
                smallBatches(model, generator, sampling, tokens, batch, repeats);
            }
            for (String b : System.getProperty("largeBatches", "16,64").isBlank() ? new String[0] : System.getProperty("largeBatches", "16,64").split(",")) {
                largeBatch(generator, sampling, Integer.parseInt(b.trim()), repeats);
            }
        }
    }

    /** Batch 1 with and without the cache, batch {@code batch} with and without, and the hand-written comparison on DJL. */
    private static void smallBatches(Gpt model, Generator generator, GenerationConfig sampling, int tokens, int batch, int repeats) {
        List<int[]> one = List.of(new int[] {0});
        List<int[]> many = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            many.add(new int[] {0}); // as sample.py: several samples of one prompt, each from its own random stream
        }
        double cached = measure("KV cache, batch 1", generator, one, sampling, repeats);
        double uncached = measure("no cache, batch 1", generator, one, sampling.toBuilder().useCache(false).build(), repeats);
        double within = measure("KV cache, batch 1, within the context (60 tokens)", generator, one,
                sampling.toBuilder().maxNewTokens(60).build(), repeats);
        double batched = measure("KV cache, batch " + batch, generator, many, sampling, repeats);
        double batchedUncached = measure("no cache, batch " + batch, generator, many, sampling.toBuilder().useCache(false).build(), repeats);
        System.out.printf(Locale.ROOT, "cache speed-up: %.1fx (batch 1), %.1fx (batch %d)%n", cached / uncached, batched / batchedUncached,
                batch);
        System.out.printf(Locale.ROOT, "summary tokens/s: cache %.0f, no-cache %.0f, cache-within-context %.0f, cache-batch%d %.0f, "
                + "no-cache-batch%d %.0f%n", cached, uncached, within, batch, batched, batch, batchedUncached);
        if (model.parameters().get(0).backend().name().equals("djl")) {
            compareWithHandWritten(model, generator, tokens, repeats);
        }
    }

    /**
     * Batch {@code b}: {@code b} samples of one prompt as sample.py draws them, then {@code b} rollouts
     * of prompts of 1 to 32 tokens (left-padded into one batch), 32 new tokens each, pure temperature 1.
     */
    private static void largeBatch(Generator generator, GenerationConfig sampling, int b, int repeats) {
        Random lengths = new Random(b);
        List<int[]> samples = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            samples.add(new int[] {0});
            int[] prompt = new int[1 + lengths.nextInt(32)];
            for (int t = 0; t < prompt.length; t++) {
                prompt[t] = lengths.nextInt(65);
            }
            prompts.add(prompt);
        }
        double sampled = measure("KV cache, batch " + b, generator, samples, sampling, repeats);
        GenerationConfig rollout = GenerationConfig.sampling(1.0, 32).toBuilder().seed(1337).build();
        double[] rollouts = measure(repeats, List.of(
                batch("RL rollouts, batch " + b + " (prompts of 1-32 tokens, 32 new, temperature 1)", generator, prompts, rollout),
                new Case("the same rollouts one prompt at a time", () -> prompts.stream().map(p -> generator.generate(p, rollout)).toList())));
        System.out.printf(Locale.ROOT, "summary tokens/s: cache-batch%d %.0f, rollouts-batch%d %.0f, one at a time %.0f (batching %.1fx)%n", b,
                sampled, b, rollouts[0], rollouts[1], rollouts[0] / rollouts[1]);
    }

    /**
     * Greedy batch-1 decoding with the cache, llmforge against {@link HandWrittenDjlDecoder} on the
     * same weights, taking turns; best of {@code repeats} each, and whether they chose the same tokens.
     */
    private static void compareWithHandWritten(Gpt model, Generator generator, int tokens, int repeats) {
        try (HandWrittenDjlDecoder handWritten = new HandWrittenDjlDecoder(model)) {
            GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(tokens).temperature(0).build();
            int[] prompt = {0};
            int[] ours = generator.generate(List.of(prompt), greedy, null).get(0).tokens();
            int[] theirs = handWritten.generate(prompt, tokens);
            for (int i = 1; i < WARM_UP_RUNS; i++) {
                handWritten.generate(prompt, tokens);
            }
            double best = 0;
            double bestHandWritten = 0;
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                generator.generate(List.of(prompt), greedy, null);
                best = Math.max(best, tokens / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                handWritten.generate(prompt, tokens);
                bestHandWritten = Math.max(bestHandWritten, tokens / ((System.nanoTime() - start) / 1e9));
            }
            int differs = java.util.stream.IntStream.range(0, tokens).filter(i -> ours[i] != theirs[i]).findFirst().orElse(-1);
            System.out.printf(Locale.ROOT, "greedy, KV cache, batch 1, %d tokens: llmforge %.0f tokens/s, the same model hand-written on DJL %.0f "
                    + "tokens/s (%.2fx); %s%n", tokens, best, bestHandWritten, best / bestHandWritten,
                    differs < 0 ? "the same tokens" : "tokens differ from position " + differs);
        }
    }

    /** One timed case: what it generates, run as a whole. */
    private record Case(String label, Supplier<List<GenerationResult>> run) {
    }

    /** {@code prompts} generated as one batch. */
    private static Case batch(String label, Generator generator, List<int[]> prompts, GenerationConfig cfg) {
        return new Case(label, () -> generator.generate(prompts, cfg, null));
    }

    private static double measure(String label, Generator generator, List<int[]> prompts, GenerationConfig cfg, int repeats) {
        return measure(repeats, List.of(batch(label, generator, prompts, cfg)))[0];
    }

    /**
     * Best of {@code repeats} timed runs of each case, after {@value #WARM_UP_RUNS} warm-up runs of
     * each (with one, the first case measured was up to a quarter slower than later: the JIT had not
     * settled); the cases take turns, so that a drift of the machine's speed reaches all of them.
     * Returns generated tokens per second of wall time. Also prints tokens per CPU-second of the
     * generating thread, a steadier figure on a shared machine (it leaves out any other threads the
     * engine uses).
     */
    private static double[] measure(int repeats, List<Case> cases) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Case c : cases) {
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                c.run().get();
            }
        }
        double[] best = new double[cases.size()];
        double[] bestCpu = new double[cases.size()];
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < cases.size(); i++) {
                long start = System.nanoTime();
                long cpuStart = threads.getCurrentThreadCpuTime();
                List<GenerationResult> results = cases.get(i).run().get();
                double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
                double seconds = (System.nanoTime() - start) / 1e9;
                long produced = results.stream().mapToLong(x -> x.tokens().length).sum();
                best[i] = Math.max(best[i], produced / seconds);
                bestCpu[i] = Math.max(bestCpu[i], produced / cpuSeconds);
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            System.out.printf(Locale.ROOT, "  %-55s %8.0f tokens/s  (%8.0f tokens per thread CPU-second)%n", cases.get(i).label(), best[i],
                    bestCpu[i]);
        }
        return best;
    }
}
