package dev.llmforge.benchmarks.pretrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Training speed at the sizes people train (issue 15): nanoGPT itself (the reference script in
 * {@code benchmarks/nanogpt-reference}, run by the system's Python with Debian's PyTorch) against
 * llmforge's Trainer on every backend, at each size of {@link ReferenceConfig#ladder()} — 0.8M,
 * 10.7M and GPT-2's 124M parameters — the same model, data, optimiser and thread count on both
 * sides. Every run is its own process (so its peak RSS is its own); within a size the sides take
 * turns, the order reversed every round, so that each round's ratios compare runs made under the
 * same machine load.
 *
 * <pre>
 * SizeLadder [--sizes 0.8m,10.7m,124m] [--backends djl,tensorflow,nd4j] [--rounds 2] [--threads 2]
 *            [--steps 0.8m=100+300,10.7m=3+10,124m=2+10] [--python /usr/bin/python3] [--nanogpt-blas-threads 1]
 *            [--jvm-args "..."] [--data PATH]
 * </pre>
 *
 * Figures per side: tokens/s (median over rounds of each run's mean step time), ms/step, MFU
 * (nanoGPT's model FLOPs per token times tokens/s, over the F32 matrix-product peak that
 * {@link GemmProbe} measures at the start with PyTorch through DJL and the same threads), peak RSS
 * (the largest VmHWM, or ru_maxrss for Python), and each backend's throughput over nanoGPT's in the
 * same round (median and every round's). A side that fails is reported as failed with its error,
 * and no ratio is made without both sides of a round.
 */
public final class SizeLadder {
    private static final String NANOGPT_SCRIPT = "benchmarks/nanogpt-reference/train_shakespeare_char.py";
    private static final String DEFAULT_STEPS = "0.8m=100+300,10.7m=3+10,124m=2+10";
    private static final String NANOGPT = "nanoGPT";

    private SizeLadder() {
    }

    /** The runs of one side (nanoGPT, or llmforge on one backend) at one size. */
    private static final class Side {
        final String label;
        final List<Map<String, String>> runs = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();

        Side(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = PretrainRun.parse(args);
        List<ReferenceConfig> sizes = Arrays.stream(o.getOrDefault("sizes", "0.8m,10.7m,124m").split(",")).map(ReferenceConfig::size).toList();
        List<String> backends = Arrays.asList(o.getOrDefault("backends", "djl,tensorflow,nd4j").split(","));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "2"));
        String threads = o.getOrDefault("threads", "2");
        String python = o.getOrDefault("python", "/usr/bin/python3");
        String blasThreads = o.getOrDefault("nanogpt-blas-threads", "1");
        Map<String, int[]> steps = steps(o.getOrDefault("steps", DEFAULT_STEPS));
        List<String> jvmArgs = o.containsKey("jvm-args") ? Arrays.asList(o.get("jvm-args").trim().split("\\s+")) : List.of();
        Path text = Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT));
        if (!Files.isRegularFile(Path.of(NANOGPT_SCRIPT))) {
            throw new IllegalStateException("run from the repository root: " + NANOGPT_SCRIPT + " not found in " + Path.of("").toAbsolutePath());
        }

        System.out.printf(Locale.ROOT, "size ladder (issue 15): nanoGPT (%s %s, OPENBLAS_NUM_THREADS=%s) vs llmforge's Trainer on %s; %s threads per run, %d rounds, "
                + "sides alternating%n", python, NANOGPT_SCRIPT, blasThreads, String.join(", ", backends), threads, rounds);
        System.out.printf(Locale.ROOT, "%d processors, load average %s at start; child JVM options: %s%n", Runtime.getRuntime().availableProcessors(),
                PretrainBenchmark.loadAverage(), jvmArgs.isEmpty() ? "(defaults)" : String.join(" ", jvmArgs));
        Map<String, String> probe = ChildRun.run(ChildRun.pretrainRun(jvmArgs, List.of("--probe", "--threads", threads)), line -> { });
        double peakGflops = probe.containsKey("error") ? Double.NaN : ChildRun.num(probe, "gemmGflops");
        System.out.printf(Locale.ROOT, "matrix-product peak (F32 square GEMM, %s via DJL, %s threads): %.1f GFLOP/s%s%n", probe.get("engine"),
                threads, peakGflops, probe.containsKey("error") ? " — probe failed: " + probe.get("error") : "");

        Map<ReferenceConfig, Map<String, Side>> all = new LinkedHashMap<>();
        Map<ReferenceConfig, Integer> vocabs = new LinkedHashMap<>();
        for (ReferenceConfig size : sizes) {
            int[] warmupIters = steps.getOrDefault(size.name(), new int[] {3, 10});
            Path prepared = Files.createTempDirectory("llmforge-ladder-" + size.name());
            try {
                int vocab = Corpus.prepare(text, size.tokenizer(), prepared).vocabSize();
                vocabs.put(size, vocab);
                System.out.printf(Locale.ROOT, "%nsize %s: %s, vocabulary %d, %.2f MFLOP per token; %d warm-up + %d timed steps per run%n",
                        size.name(), size.describeShape(), vocab, size.flopsPerToken(vocab) / 1e6, warmupIters[0], warmupIters[1]);
                Map<String, Side> sides = new LinkedHashMap<>();
                sides.put(NANOGPT, new Side("nanoGPT (PyTorch, Python)"));
                for (String b : backends) {
                    sides.put(b, new Side("llmforge on " + b));
                }
                for (int r = 0; r < rounds; r++) {
                    List<String> order = new ArrayList<>(sides.keySet());
                    if (r % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    Map<String, Double> roundTps = new LinkedHashMap<>();
                    for (String key : order) {
                        List<String> command = key.equals(NANOGPT)
                                ? nanoGptCommand(python, size, threads, blasThreads, prepared, warmupIters)
                                : ChildRun.pretrainRun(jvmArgs, List.of("--impl", PretrainRun.LLMFORGE, "--backend", key, "--size", size.name(),
                                        "--threads", threads, "--prepared", prepared.toString(), "--warmup", Integer.toString(warmupIters[0]),
                                        "--iters", Integer.toString(warmupIters[1])));
                        Side side = sides.get(key);
                        Map<String, String> res = ChildRun.run(command, line -> { });
                        if (res.containsKey("error")) {
                            side.failures.add(res.get("error") + (key.equals(NANOGPT) && res.get("error").contains("No module named")
                                    ? " (run benchmarks/nanogpt-reference/setup.sh)" : ""));
                            System.out.printf(Locale.ROOT, "  round %d  %-28s FAILED: %s%n", r + 1, side.label, side.failures.get(side.failures.size() - 1));
                            continue;
                        }
                        side.runs.add(res);
                        roundTps.put(key, ChildRun.num(res, "tokensPerSec"));
                        System.out.printf(Locale.ROOT, "  round %d  %-28s %9.0f tokens/s %9.1f ms/step (median %.1f), peak RSS %6.0f MB; "
                                + "per step %.0f ms CPU, %.0f of it in the kernel, %.0f minor page faults%n", r + 1, side.label,
                                ChildRun.num(res, "tokensPerSec"), ChildRun.num(res, "msMean"), ChildRun.num(res, "msMedian"),
                                ChildRun.num(res, "peakRssMb"), ChildRun.num(res, "cpuMsPerIter"), ChildRun.num(res, "sysCpuMsPerIter"),
                                ChildRun.num(res, "minorFaultsPerIter"));
                    }
                    Double reference = roundTps.get(NANOGPT);
                    for (String b : backends) {
                        if (reference != null && roundTps.containsKey(b)) {
                            sides.get(b).ratios.add(roundTps.get(b) / reference);
                        }
                    }
                }
                all.put(size, sides);
            } finally {
                PretrainRun.deleteTree(prepared);
            }
        }
        report(all, vocabs, peakGflops);
        System.out.printf(Locale.ROOT, "load average %s at the end%n", PretrainBenchmark.loadAverage());
        System.out.println("command: java -cp <benchmarks classpath> " + SizeLadder.class.getName() + " " + String.join(" ", args));
    }

    /**
     * nanoGPT's run, with OpenBLAS's own thread pool set to {@code blasThreads}: Debian's pthread OpenBLAS starts one
     * thread per core besides PyTorch's OpenMP threads, and on 2 cores the two pools compete (benchmarks/README.md).
     */
    private static List<String> nanoGptCommand(String python, ReferenceConfig size, String threads, String blasThreads, Path prepared,
                                               int[] warmupIters) {
        return List.of("env", "OPENBLAS_NUM_THREADS=" + blasThreads, python, NANOGPT_SCRIPT, "1337", threads, prepared.toString(), "--n-layer", Integer.toString(size.layers()), "--n-head",
                Integer.toString(size.heads()), "--n-embd", Integer.toString(size.width()), "--block-size", Integer.toString(size.block()),
                "--batch-size", Integer.toString(size.batch()), "--warmup", Integer.toString(warmupIters[0]), "--iters",
                Integer.toString(warmupIters[1]));
    }

    private static void report(Map<ReferenceConfig, Map<String, Side>> all, Map<ReferenceConfig, Integer> vocabs, double peakGflops) {
        System.out.println();
        System.out.println("| size | side | runs | tokens/s | ms/step | MFU | peak RSS | vs nanoGPT (paired rounds) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map.Entry<ReferenceConfig, Map<String, Side>> e : all.entrySet()) {
            ReferenceConfig size = e.getKey();
            double flopsPerToken = size.flopsPerToken(vocabs.get(size));
            for (Side side : e.getValue().values()) {
                if (side.runs.isEmpty()) {
                    System.out.printf(Locale.ROOT, "| %s | %s | 0 | failed: %s | | | | |%n", size.name(), side.label, side.failures.get(0));
                    continue;
                }
                double tps = median(side.runs, "tokensPerSec");
                String ratio = side.ratios.isEmpty() ? (side.label.startsWith("nanoGPT") ? "1.00x" : "no paired nanoGPT run")
                        : String.format(Locale.ROOT, "%.2fx (%s)", PretrainRun.median(side.ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                                side.ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).collect(Collectors.joining(", ")));
                System.out.printf(Locale.ROOT, "| %s | %s | %d%s | %.0f | %.1f | %.1f%% | %.0f MB | %s |%n", size.name(), side.label, side.runs.size(),
                        side.failures.isEmpty() ? "" : " (" + side.failures.size() + " failed)", tps, median(side.runs, "msMean"),
                        100 * flopsPerToken * tps / (peakGflops * 1e9), max(side.runs, "peakRssMb"), ratio);
            }
        }
        System.out.printf(Locale.ROOT, "(tokens/s and ms/step: median over rounds of each run's mean step time; MFU against the %.1f GFLOP/s "
                + "matrix-product peak above; peak RSS: the largest of the runs)%n", peakGflops);
    }

    /** "0.8m=100+300,10.7m=3+10" → {0.8m: [100, 300], 10.7m: [3, 10]}. */
    private static Map<String, int[]> steps(String spec) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String item : spec.split(",")) {
            String[] kv = item.split("=");
            String[] wi = kv.length == 2 ? kv[1].split("\\+") : new String[0];
            if (wi.length != 2) {
                throw new IllegalArgumentException("--steps: expected SIZE=WARMUP+ITERS items separated by commas (e.g. " + DEFAULT_STEPS
                        + "), got '" + item + "'");
            }
            out.put(ReferenceConfig.size(kv[0]).name(), new int[] {Integer.parseInt(wi[0].trim()), Integer.parseInt(wi[1].trim())});
        }
        return out;
    }

    private static double median(List<Map<String, String>> rs, String key) {
        return PretrainRun.median(rs.stream().mapToDouble(r -> ChildRun.num(r, key)).toArray());
    }

    private static double max(List<Map<String, String>> rs, String key) {
        return rs.stream().mapToDouble(r -> ChildRun.num(r, key)).max().orElse(Double.NaN);
    }
}
