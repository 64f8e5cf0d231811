package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
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
 *            [--steps 0.8m=100+300,10.7m=3+10,124m=2+10] [--python /usr/bin/python3]
 *            [--nanogpt-blas-threads 0.8m=1,10.7m=1,124m=2] [--jvm-args "..."] [--data PATH] [--out FILE]
 * </pre>
 *
 * {@code --nanogpt-blas-threads} is one count for every size or a count per size (OpenBLAS's own threads in
 * nanoGPT's process: 1 suits the small sizes, 2 GPT-2's products). {@code --out} also writes the table, with the
 * date, machine and command, to FILE.
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
    private static final String DEFAULT_BLAS_THREADS = "0.8m=1,10.7m=1,124m=2";
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
        Map<String, String> blasThreads = perSize("nanogpt-blas-threads", o.getOrDefault("nanogpt-blas-threads", DEFAULT_BLAS_THREADS), "1");
        Map<String, int[]> steps = steps(o.getOrDefault("steps", DEFAULT_STEPS));
        Path out = o.containsKey("out") ? Path.of(o.get("out")) : null;
        List<String> jvmArgs = o.containsKey("jvm-args") ? Arrays.asList(o.get("jvm-args").trim().split("\\s+")) : List.of();
        Path text = Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT));
        if (!Files.isRegularFile(Path.of(NANOGPT_SCRIPT))) {
            throw new IllegalStateException("run from the repository root: " + NANOGPT_SCRIPT + " not found in " + Path.of("").toAbsolutePath());
        }

        String settings = String.format(Locale.ROOT, "nanoGPT (%s %s, OPENBLAS_NUM_THREADS per size %s) vs llmforge's Trainer on %s; %s threads per run, "
                + "%d rounds, sides alternating", python, NANOGPT_SCRIPT, blasThreads, String.join(", ", backends), threads, rounds);
        String machine = String.format(Locale.ROOT, "%d processors (%s), load average %s at start; child JVM options: %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), PretrainBenchmark.loadAverage(), jvmArgs.isEmpty() ? "(defaults)" : String.join(" ", jvmArgs));
        System.out.println("size ladder (issue 15): " + settings);
        System.out.println(machine);
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
                                ? nanoGptCommand(python, size, threads, blasThreads.get(size.name()), prepared, warmupIters)
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
        String table = table(all, vocabs, peakGflops);
        String end = String.format(Locale.ROOT, "load average %s at the end%ncommand: java -cp <benchmarks classpath> %s %s%n", PretrainBenchmark.loadAverage(),
                SizeLadder.class.getName(), String.join(" ", args));
        System.out.print(System.lineSeparator() + table + end);
        if (out != null) {
            String header = String.format(Locale.ROOT, "# Size ladder, %s%n%n%s.%n%s; matrix-product peak %.1f GFLOP/s (F32 square GEMM, %s via DJL).%n%n",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), settings, machine, peakGflops, probe.get("engine"));
            AtomicFiles.write(out, (header + table + System.lineSeparator() + end).getBytes(StandardCharsets.UTF_8));
            System.out.println("table written to " + out);
        }
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
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

    /** The markdown table of every size and side, and its legend. */
    private static String table(Map<ReferenceConfig, Map<String, Side>> all, Map<ReferenceConfig, Integer> vocabs, double peakGflops) {
        StringBuilder t = new StringBuilder();
        t.append("| size | side | runs | tokens/s | ms/step | MFU | peak RSS | vs nanoGPT (paired rounds) |").append(System.lineSeparator());
        t.append("|---|---|---|---|---|---|---|---|").append(System.lineSeparator());
        for (Map.Entry<ReferenceConfig, Map<String, Side>> e : all.entrySet()) {
            ReferenceConfig size = e.getKey();
            double flopsPerToken = size.flopsPerToken(vocabs.get(size));
            for (Side side : e.getValue().values()) {
                if (side.runs.isEmpty()) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | 0 | failed: %s | | | | |%n", size.name(), side.label, side.failures.get(0)));
                    continue;
                }
                double tps = median(side.runs, "tokensPerSec");
                String ratio = side.ratios.isEmpty() ? (side.label.startsWith("nanoGPT") ? "1.00x" : "no paired nanoGPT run")
                        : String.format(Locale.ROOT, "%.2fx (%s)", PretrainRun.median(side.ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                                side.ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).collect(Collectors.joining(", ")));
                t.append(String.format(Locale.ROOT, "| %s | %s | %d%s | %.0f | %.1f | %.1f%% | %.0f MB | %s |%n", size.name(), side.label,
                        side.runs.size(), side.failures.isEmpty() ? "" : " (" + side.failures.size() + " failed)", tps, median(side.runs, "msMean"),
                        100 * flopsPerToken * tps / (peakGflops * 1e9), max(side.runs, "peakRssMb"), ratio));
            }
        }
        t.append(String.format(Locale.ROOT, "(tokens/s and ms/step: median over rounds of each run's mean step time; MFU against the %.1f GFLOP/s "
                + "matrix-product peak above; peak RSS: the largest of the runs)%n", peakGflops));
        return t.toString();
    }

    /**
     * "2" → every size 2; "0.8m=1,124m=2" → {0.8m: 1, 124m: 2}, the sizes not named {@code otherwise}. Counts must be
     * positive integers; anything else is an error naming {@code --flag}.
     */
    private static Map<String, String> perSize(String flag, String spec, String otherwise) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ReferenceConfig c : ReferenceConfig.ladder()) {
            out.put(c.name(), otherwise);
        }
        boolean single = !spec.contains("=");
        for (String item : spec.split(",")) {
            String[] kv = item.split("=");
            String count = (single ? kv[0] : kv.length == 2 ? kv[1] : "").trim();
            if (!count.matches("[1-9][0-9]*") || (!single && kv.length != 2)) {
                throw new IllegalArgumentException("--" + flag + ": expected a positive count or SIZE=COUNT items separated by commas (e.g. "
                        + DEFAULT_BLAS_THREADS + "), got '" + item + "'");
            }
            if (single) {
                out.replaceAll((size, old) -> count);
            } else {
                out.put(ReferenceConfig.size(kv[0]).name(), count);
            }
        }
        return out;
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
