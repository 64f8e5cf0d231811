package dev.llmforge.benchmarks.pretrain;

import java.io.IOException;
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
 * The pretraining benchmark of issue 7: nanoGPT's documented CPU run of the character-level
 * Shakespeare model ({@link ReferenceConfig}), trained by the hand-written DJL baseline
 * ({@link HandWrittenDjlGpt}) and by llmforge on each backend, every run in its own JVM so that its
 * peak RSS (VmHWM) is its own. The baseline and llmforge on DJL run alternately (the order swapped
 * every round) so that both see the same machine load; the other backends run after each pair. A
 * backend that fails is reported as skipped with the reason.
 *
 * <pre>
 * PretrainBenchmark [--rounds 3] [--warmup 100] [--iters 300] [--threads 2]
 *                   [--backends djl,tensorflow,nd4j] [--data PATH] [--jvm-args "-Xmx1g ..."]
 * PretrainBenchmark --full [--seeds 1337,1338,1339] [--other-seeds 1] ...
 * </pre>
 *
 * Throughput mode (default) times {@code iters} steps after {@code warmup} steps, {@code rounds}
 * times. {@code --full} runs nanoGPT's whole 2,000-step run with evaluation every 250 steps, once
 * per seed for the DJL pair and for the first {@code other-seeds} seeds on the other backends, and
 * reports the validation loss at step 2,000. MFU is nanoGPT's model FLOPs per token
 * ({@link ReferenceConfig#flopsPerToken}) times tokens/s over the matmul peak measured by
 * {@link GemmProbe} in the same run with the same threads.
 */
public final class PretrainBenchmark {
    /** nanoGPT (PyTorch, OpenBLAS, 2 threads) on this machine kind, as documented in issue 7. */
    private static final double NANOGPT_TOKENS_PER_SEC = 11_800;
    private static final double NANOGPT_VAL_LOSS = 1.886;
    private static final double NANOGPT_RSS_MB = 323;

    private PretrainBenchmark() {
    }

    /** One configuration: which implementation on which backend. */
    private record Config(String impl, String backend) {
        String label() {
            return impl.equals(PretrainRun.HANDWRITTEN) ? "hand-written DJL (baseline)" : "llmforge on " + backend;
        }

        List<String> args() {
            return impl.equals(PretrainRun.HANDWRITTEN) ? List.of("--impl", impl) : List.of("--impl", impl, "--backend", backend);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = PretrainRun.parse(args);
        boolean full = o.containsKey("full");
        int rounds = full ? 1 : Integer.parseInt(o.getOrDefault("rounds", "3"));
        String threads = o.getOrDefault("threads", "2");
        List<String> backends = Arrays.asList(o.getOrDefault("backends", "djl,tensorflow,nd4j").split(","));
        List<Long> seeds = Arrays.stream(o.getOrDefault("seeds", full ? "1337,1338,1339" : "1337").split(",")).map(Long::parseLong).toList();
        int otherSeeds = Integer.parseInt(o.getOrDefault("other-seeds", "1"));
        Path prepared = Files.createTempDirectory("llmforge-pretrain-data");
        int vocab = Corpus.prepare(Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT)), "char", prepared).vocabSize(); // once, as prepare.py
        List<String> common = new ArrayList<>(List.of("--threads", threads, "--prepared", prepared.toString()));
        for (String key : List.of("warmup", "iters")) {
            if (o.containsKey(key)) {
                common.addAll(List.of("--" + key, o.get(key)));
            }
        }
        if (full) {
            common.add("--full");
        }
        List<String> jvmArgs = o.containsKey("jvm-args") ? Arrays.asList(o.get("jvm-args").trim().split("\\s+")) : List.of();
        ReferenceConfig cfg = ReferenceConfig.nanoGptShakespeareCharCpu();

        System.out.printf(Locale.ROOT, "pretraining benchmark (issue 7): nanoGPT shakespeare-char CPU run — %d layers, %d heads, width %d, "
                + "block %d, batch %d, %s%n", cfg.layers(), cfg.heads(), cfg.width(), cfg.block(), cfg.batch(),
                full ? "full " + cfg.maxIters() + "-step runs, seeds " + seeds : rounds + " rounds of " + o.getOrDefault("warmup", "100")
                        + " warm-up + " + o.getOrDefault("iters", "300") + " timed steps");
        System.out.printf(Locale.ROOT, "%d processors, load average %s; %s intra-op threads per run; child JVM options: %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), threads, jvmArgs.isEmpty() ? "(defaults)" : String.join(" ", jvmArgs));

        Map<String, String> probe = runChild(jvmArgs, List.of("--probe", "--threads", threads), "matmul probe");
        double peakGflops = probe == null ? Double.NaN : Double.parseDouble(probe.get("gemmGflops"));
        System.out.printf(Locale.ROOT, "measured matmul peak (F32 GEMM, PyTorch via DJL, %s threads): %.1f GFLOP/s; model: %.2f MFLOP per token%n",
                threads, peakGflops, cfg.flopsPerToken(vocab) / 1e6);

        Config baseline = new Config(PretrainRun.HANDWRITTEN, "djl");
        Config llmDjl = new Config(PretrainRun.LLMFORGE, "djl");
        List<Config> others = new ArrayList<>();
        for (String b : backends) {
            if (!b.equals("djl")) {
                others.add(new Config(PretrainRun.LLMFORGE, b));
            }
        }
        Map<Config, List<Map<String, String>>> results = new LinkedHashMap<>();
        Map<Config, String> skipped = new LinkedHashMap<>();
        List<double[]> pairRatios = new ArrayList<>(); // per pair: llmforge tokens/s over baseline tokens/s
        int pair = 0;
        for (long seed : seeds) {
            for (int r = 0; r < rounds; r++, pair++) {
                List<Config> order = pair % 2 == 0 ? List.of(baseline, llmDjl) : List.of(llmDjl, baseline);
                Map<Config, Map<String, String>> thisPair = new LinkedHashMap<>();
                for (Config c : order) {
                    Map<String, String> res = run(c, seed, common, jvmArgs, results, skipped);
                    if (res != null) {
                        thisPair.put(c, res);
                    }
                }
                if (thisPair.size() == 2) {
                    pairRatios.add(new double[] {num(thisPair.get(llmDjl), "tokensPerSec") / num(thisPair.get(baseline), "tokensPerSec")});
                }
                boolean othersThisTime = full ? seeds.indexOf(seed) < otherSeeds : true;
                if (othersThisTime) {
                    for (Config c : others) {
                        if (!skipped.containsKey(c)) {
                            run(c, seed, common, jvmArgs, results, skipped);
                        }
                    }
                }
            }
        }
        PretrainRun.deleteTree(prepared);
        report(cfg, vocab, peakGflops, full, results, skipped, pairRatios, baseline, llmDjl);
        System.out.println("command: java -cp <benchmarks classpath> " + PretrainBenchmark.class.getName() + " " + String.join(" ", args));
    }

    private static Map<String, String> run(Config c, long seed, List<String> common, List<String> jvmArgs,
                                           Map<Config, List<Map<String, String>>> results, Map<Config, String> skipped) throws IOException,
            InterruptedException {
        List<String> a = new ArrayList<>(c.args());
        a.addAll(List.of("--seed", Long.toString(seed)));
        a.addAll(common);
        Map<String, String> res = runChild(jvmArgs, a, c.label() + " seed " + seed);
        if (res == null || res.containsKey("error")) {
            skipped.put(c, res == null ? "no result" : res.get("error"));
            return null;
        }
        results.computeIfAbsent(c, k -> new ArrayList<>()).add(res);
        System.out.printf(Locale.ROOT, "  %-30s seed %d: %8.0f tokens/s, %7.2f ms/iter (median %.2f), peak RSS %5.0f MB%s%n", c.label(), seed,
                num(res, "tokensPerSec"), num(res, "msMean"), num(res, "msMedian"), num(res, "peakRssMb"),
                res.containsKey("valLoss") ? String.format(Locale.ROOT, ", val loss %.4f", num(res, "valLoss")) : "");
        return res;
    }

    private static void report(ReferenceConfig cfg, int vocab, double peakGflops, boolean full, Map<Config, List<Map<String, String>>> results,
                               Map<Config, String> skipped, List<double[]> pairRatios, Config baseline, Config llmDjl) {
        double flopsPerToken = cfg.flopsPerToken(vocab);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-30s %5s %10s %9s %9s %9s %7s %9s %10s%n", "configuration", "runs", "tokens/s", "ms/iter", "(median)",
                "cpu ms", "MFU", "peak RSS", full ? "val loss" : "");
        Map<String, String> describe = new LinkedHashMap<>();
        for (Map.Entry<Config, List<Map<String, String>>> e : results.entrySet()) {
            List<Map<String, String>> rs = e.getValue();
            double tps = median(rs, "tokensPerSec");
            String loss = full ? String.format(Locale.ROOT, "%.4f", median(rs, "valLoss")) + (rs.size() > 1 ? " (median)" : "") : "";
            System.out.printf(Locale.ROOT, "%-30s %5d %10.0f %9.2f %9.2f %9.2f %6.1f%% %6.0f MB %10s%n", e.getKey().label(), rs.size(), tps,
                    median(rs, "msMean"), median(rs, "msMedian"), median(rs, "cpuMsPerIter"), 100 * flopsPerToken * tps / (peakGflops * 1e9),
                    max(rs, "peakRssMb"), loss);
            describe.put(e.getKey().label(), rs.get(0).get("describe"));
        }
        for (Map.Entry<Config, String> e : skipped.entrySet()) {
            System.out.printf(Locale.ROOT, "%-30s skipped: %s%n", e.getKey().label(), e.getValue());
        }
        System.out.printf(Locale.ROOT, "(tokens/s and ms/iter: median over runs of each run's mean step time; cpu ms: process CPU time per step;"
                + " peak RSS: the largest VmHWM of the runs)%n");
        describe.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %s = %s%n", k, v));
        List<Map<String, String>> base = results.get(baseline);
        List<Map<String, String>> llm = results.get(llmDjl);
        if (base != null && llm != null) {
            double[] ratios = pairRatios.stream().mapToDouble(r -> r[0]).sorted().toArray();
            System.out.printf(Locale.ROOT, "llmforge on DJL vs hand-written DJL: %.2fx throughput (median of %d alternating pairs: %s), "
                    + "peak RSS %.0f vs %.0f MB (%.2fx)%n", PretrainRun.median(ratios), ratios.length,
                    Arrays.stream(ratios).mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", ")),
                    max(llm, "peakRssMb"), max(base, "peakRssMb"), max(llm, "peakRssMb") / max(base, "peakRssMb"));
            System.out.printf(Locale.ROOT, "llmforge on DJL vs nanoGPT's documented %.0f tokens/s, %.3f val loss, %.0f MB: %.2fx throughput%s, "
                    + "%.2fx RSS%n", NANOGPT_TOKENS_PER_SEC, NANOGPT_VAL_LOSS, NANOGPT_RSS_MB, median(llm, "tokensPerSec") / NANOGPT_TOKENS_PER_SEC,
                    full ? String.format(Locale.ROOT, ", val loss %.4f", median(llm, "valLoss")) : "", max(llm, "peakRssMb") / NANOGPT_RSS_MB);
        }
    }

    /** Runs PretrainRun in a new JVM; returns its RESULT fields, or {"error": why} if it failed. */
    private static Map<String, String> runChild(List<String> jvmArgs, List<String> args, String what) throws IOException,
            InterruptedException {
        return ChildRun.run(ChildRun.pretrainRun(jvmArgs, args), line -> System.out.println("    " + what + ": " + line));
    }

    private static double num(Map<String, String> r, String key) {
        return ChildRun.num(r, key);
    }

    private static double median(List<Map<String, String>> rs, String key) {
        return PretrainRun.median(rs.stream().mapToDouble(r -> num(r, key)).toArray());
    }

    private static double max(List<Map<String, String>> rs, String key) {
        return rs.stream().mapToDouble(r -> num(r, key)).max().orElse(Double.NaN);
    }

    /** The 1-minute load average, or "unknown". */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
