package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.EngineThreads;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.data.TokenData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One measured run in its own JVM (started by {@link PretrainBenchmark}, so that each run's peak
 * RSS is its own): trains one implementation of the reference model and prints one {@code RESULT}
 * line of tab-separated {@code key=value} pairs on stdout (progress goes to stderr).
 *
 * <pre>
 * PretrainRun --impl handwritten-djl|llmforge|llmforge-loop [--backend djl|tensorflow|nd4j] [--size 0.8m|10.7m|124m]
 *             [--seed N] [--threads N] [--warmup N] [--iters N] [--full] [--prepared DIR | --data PATH]
 * PretrainRun --probe [--threads N]        (the matmul peak, for MFU)
 * </pre>
 *
 * {@code llmforge} trains with the training module's Trainer ({@link TrainerRun}); {@code handwritten-djl}
 * is the baseline ({@link HandWrittenDjlGpt}) and {@code llmforge-loop} llmforge's model, AdamW and
 * clipping ({@link LlmforgeGpt}), both in this class's nanoGPT-style loop. Throughput mode
 * (default): {@code warmup} untimed steps, then {@code iters} timed steps. Full mode: nanoGPT's whole
 * run: 2,000 steps with the loss of 20 batches of each split every 250 steps; the reported
 * validation loss is the one at step 2,000.
 */
public final class PretrainRun {
    static final String HANDWRITTEN = "handwritten-djl";
    static final String LLMFORGE = "llmforge";
    static final String LLMFORGE_LOOP = "llmforge-loop";
    /** Tiny Shakespeare in this repository (its source and licence are listed in tokenizer's test data). */
    public static final String DEFAULT_TEXT = "tokenizer/src/test/resources/data/tinyshakespeare/input.txt";

    private PretrainRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        applyEngineSettings(threads);
        Map<String, Object> result = new LinkedHashMap<>();
        if (o.containsKey("probe")) {
            result.put("gemmGflops", GemmProbe.peakGflops());
            result.put("engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion());
            result.put("peakRssMb", ProcessMemory.peakRssMb());
            emit(result);
            return;
        }
        String impl = o.getOrDefault("impl", LLMFORGE);
        String backendName = o.getOrDefault("backend", "djl");
        long seed = Long.parseLong(o.getOrDefault("seed", "1337"));
        boolean full = o.containsKey("full");
        ReferenceConfig cfg = ReferenceConfig.size(o.getOrDefault("size", ReferenceConfig.nanoGptShakespeareCharCpu().name()));
        int warmup = full ? 0 : Integer.parseInt(o.getOrDefault("warmup", "100"));
        int iters = full ? cfg.maxIters() : Integer.parseInt(o.getOrDefault("iters", "300"));
        Path prepared = o.containsKey("prepared") ? Path.of(o.get("prepared")) : Files.createTempDirectory("llmforge-pretrain-data");
        if (!o.containsKey("prepared")) {
            Corpus.prepare(Path.of(o.getOrDefault("data", DEFAULT_TEXT)), cfg.tokenizer(), prepared);
        }
        TokenData data = TokenData.open(prepared);
        result.put("impl", impl);
        result.put("size", cfg.name());
        result.put("backend", impl.equals(HANDWRITTEN) ? "djl" : backendName);
        result.put("threads", threads);
        result.put("seed", seed);
        Meter meter = new Meter();
        long start = System.nanoTime();
        double[] stepMillis;
        try {
            if (impl.equals(LLMFORGE)) {
                stepMillis = TrainerRun.run(Backends.get(backendName), cfg, data, seed, warmup, iters, full, meter, result);
            } else {
                stepMillis = loop(impl, backendName, cfg, Corpus.of(data), seed, warmup, iters, full, meter, result);
            }
        } finally {
            if (!o.containsKey("prepared")) {
                deleteTree(prepared);
            }
        }
        double total = Arrays.stream(stepMillis).sum();
        result.put("iters", stepMillis.length);
        result.put("msMedian", median(stepMillis));
        result.put("msMean", total / stepMillis.length);
        result.put("msFirstHalf", Arrays.stream(stepMillis, 0, stepMillis.length / 2).average().orElse(Double.NaN));
        result.put("msSecondHalf", Arrays.stream(stepMillis, stepMillis.length / 2, stepMillis.length).average().orElse(Double.NaN));
        result.put("tokensPerSec", cfg.tokensPerIter() * stepMillis.length / (total / 1e3));
        result.put("wallSeconds", (System.nanoTime() - start) / 1e9);
        result.put("peakRssMb", ProcessMemory.peakRssMb());
        emit(result);
    }

    /**
     * CPU time, page faults and Java allocation of the timed part of a run: from {@link #start} after the warm-up
     * steps to {@link #stop} at the end of the last timed step, so that a final evaluation or checkpoint is not
     * counted (in {@code --full} runs the evaluations between the steps are).
     */
    static final class Meter {
        private final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private long cpu;
        private long threadCpu;
        private long allocated;
        private long minorFaults;
        private double systemCpuMillis;

        void start() {
            cpu = os.getProcessCpuTime();
            threadCpu = threads.getCurrentThreadCpuTime();
            allocated = threads.getCurrentThreadAllocatedBytes();
            minorFaults = ProcessMemory.minorFaults();
            systemCpuMillis = ProcessMemory.systemCpuMillis();
        }

        void stop(int steps, Map<String, Object> result) {
            result.put("cpuMsPerIter", (os.getProcessCpuTime() - cpu) / 1e6 / steps);
            result.put("sysCpuMsPerIter", (ProcessMemory.systemCpuMillis() - systemCpuMillis) / steps);
            result.put("minorFaultsPerIter", (double) (ProcessMemory.minorFaults() - minorFaults) / steps);
            result.put("threadCpuMsPerIter", (threads.getCurrentThreadCpuTime() - threadCpu) / 1e6 / steps);
            result.put("javaAllocKbPerIter", (threads.getCurrentThreadAllocatedBytes() - allocated) / 1024.0 / steps);
        }
    }

    /** The hand-written baseline (or llmforge without the Trainer) in this class's own nanoGPT-style loop. */
    private static double[] loop(String impl, String backendName, ReferenceConfig cfg, Corpus corpus, long seed, int warmup, int iters,
                                 boolean full, Meter meter, Map<String, Object> result) {
        Corpus.Sampler train = corpus.sampler(true, cfg.batch(), cfg.block(), seed);
        Corpus.Sampler evalTrain = corpus.sampler(true, cfg.batch(), cfg.block(), ~seed);
        Corpus.Sampler evalVal = corpus.sampler(false, cfg.batch(), cfg.block(), ~seed);
        try (PretrainModel model = create(impl, backendName, cfg, corpus.vocab(), seed)) {
            result.put("describe", model.describe());
            result.put("params", model.parameterCount());
            double[] stepMillis = new double[iters];
            double lastLoss = Double.NaN;
            int iter = 0;
            for (int i = 0; i < warmup; i++, iter++) {
                long[][] b = train.next();
                model.trainStep(b[0], b[1], cfg.learningRate(iter));
            }
            meter.start();
            for (int i = 0; i < iters; i++, iter++) {
                if (full && i % cfg.evalInterval() == 0) {
                    evaluate(model, cfg, evalTrain, evalVal, i, result);
                }
                long[][] b = train.next();
                long t0 = System.nanoTime();
                lastLoss = model.trainStep(b[0], b[1], cfg.learningRate(full ? i : iter));
                stepMillis[i] = (System.nanoTime() - t0) / 1e6;
                if (!Double.isFinite(lastLoss)) {
                    throw new IllegalStateException("loss became " + lastLoss + " at step " + i);
                }
            }
            meter.stop(iters, result);
            if (full) {
                evaluate(model, cfg, evalTrain, evalVal, iters, result);
            }
            result.put("lastTrainLoss", lastLoss);
            return stepMillis;
        }
    }

    private static PretrainModel create(String impl, String backendName, ReferenceConfig cfg, int vocab, long seed) {
        if (impl.equals(HANDWRITTEN)) {
            return new HandWrittenDjlGpt(cfg, vocab, seed);
        }
        if (!impl.equals(LLMFORGE_LOOP)) {
            throw new IllegalArgumentException("--impl must be " + HANDWRITTEN + ", " + LLMFORGE + " or " + LLMFORGE_LOOP + ", got " + impl);
        }
        Backend backend = Backends.get(backendName);
        return new LlmforgeGpt(cfg, vocab, backend, seed);
    }

    /** nanoGPT's estimate_loss: mean loss of evalIters fresh batches of each split. */
    private static void evaluate(PretrainModel model, ReferenceConfig cfg, Corpus.Sampler train, Corpus.Sampler val, int iter,
                                   Map<String, Object> result) {
        double trainLoss = model.evalLoss(batches(train, cfg.evalIters()));
        double valLoss = model.evalLoss(batches(val, cfg.evalIters()));
        System.err.printf(Locale.ROOT, "step %d: train loss %.4f, val loss %.4f%n", iter, trainLoss, valLoss);
        result.put("trainLoss", trainLoss);
        result.put("valLoss", valLoss);
        result.put("valLoss@" + iter, valLoss);
    }

    private static List<long[][]> batches(Corpus.Sampler sampler, int n) {
        List<long[][]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sampler.next());
        }
        return out;
    }

    /**
     * The engine settings both implementations get, before any engine loads: the intra-op thread
     * count (PyTorch through DJL reads {@code ai.djl.pytorch.num_threads}; llmforge's backends read
     * {@code llmforge.threads}), one inter-op thread, and DJL kept offline and from calling home.
     */
    static void applyEngineSettings(int threads) {
        System.setProperty(EngineThreads.PROPERTY, Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
    }

    /** Deletes a directory tree this run created. */
    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void emit(Map<String, Object> result) {
        StringBuilder line = new StringBuilder("RESULT");
        result.forEach((k, v) -> line.append('\t').append(k).append('=').append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : v));
        System.out.println(line);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "' (options start with --)");
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(key, args[++i]);
            } else {
                o.put(key, "true");
            }
        }
        return o;
    }
}
