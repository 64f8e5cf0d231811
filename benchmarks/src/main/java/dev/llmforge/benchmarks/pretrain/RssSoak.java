package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.model.GptConfig;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.Pretraining;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.data.TokenData;
import dev.llmforge.training.metrics.StepMetrics;
import dev.llmforge.training.metrics.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A soak of small training steps per backend: each backend in its own JVM trains a tiny GPT (AdamW,
 * gradient clipping, no checkpoints) for a fixed number of steps ({@code --steps}) or a fixed wall
 * time ({@code --seconds}), reading its resident set size (VmRSS) every {@value #SAMPLE_EVERY}
 * steps and printing a progress line (RSS and the backend's open tensors) every {@code --progress}
 * steps ({@value #PROGRESS_EVERY} by default). The Java heap is fixed and
 * touched at start ({@value #HEAP}), so that its lazy growth does not count. After a warm-up (the
 * first third of the run) the resident memory must stay within 5% of its value at the end of the
 * warm-up: a leak of tensors, engine handles or compiled programs shows as growth. RSS is also
 * printed at two thirds of the run, to tell growth that levels off from growth that goes on.
 *
 * <pre>
 * java -cp "$CP" dev.llmforge.benchmarks.pretrain.RssSoak [--steps 100000 | --seconds 120]
 *     [--backends reference,djl,tensorflow,nd4j] [--concurrent] [--threads 1]
 *     [--layers 2] [--heads 2] [--width 32] [--context 32] [--batch 8] [--progress 5000]
 * </pre>
 *
 * <p>{@code --concurrent} runs the backends' JVMs at the same time instead of one after another;
 * {@code --threads} is passed to each as {@code -Dllmforge.threads} (the engine's intra-op threads).
 */
public final class RssSoak {
    private static final int SAMPLE_EVERY = 50;
    private static final String PROGRESS_EVERY = "5000";
    private static final double WARMUP_FRACTION = 1.0 / 3;
    private static final String HEAP = "-Xms512m -Xmx512m -XX:+AlwaysPreTouch";
    private static final List<String> MODEL_FLAGS = List.of("layers", "heads", "width", "context", "batch");

    private RssSoak() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = PretrainRun.parse(args);
        if (o.containsKey("backend")) {
            soak(o.get("backend"), Length.of(o), o, Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT)));
            return;
        }
        List<String> backends = List.of(o.getOrDefault("backends", "reference,djl,tensorflow,nd4j").split(","));
        ExecutorService pool = Executors.newFixedThreadPool(o.containsKey("concurrent") ? backends.size() : 1);
        Map<String, Future<Map<String, String>>> results = new LinkedHashMap<>();
        for (String backend : backends) {
            List<String> cmd = childCommand(backend, o);
            results.put(backend, pool.submit(() -> ChildRun.run(cmd, line -> System.out.println(backend + ": " + line))));
        }
        pool.shutdown();
        System.out.printf(Locale.ROOT, "%-11s %8s %9s %12s %12s %12s %12s %9s  %s%n", "backend", "steps", "seconds", "RSS@1/3 MiB", "RSS@2/3 MiB",
                "RSS max MiB", "RSS end MiB", "growth", "flat within 5%");
        for (Map.Entry<String, Future<Map<String, String>>> e : results.entrySet()) {
            Map<String, String> r = e.getValue().get();
            if (r.containsKey("error")) {
                System.out.printf(Locale.ROOT, "%-11s skipped: %s%n", e.getKey(), r.get("error"));
                continue;
            }
            double growth = ChildRun.num(r, "rss_max") / ChildRun.num(r, "rss_warm") - 1;
            System.out.printf(Locale.ROOT, "%-11s %8s %9s %12s %12s %12s %12s %8.1f%%  %s%n", e.getKey(), r.get("steps"), r.get("seconds"), r.get("rss_warm"),
                    r.get("rss_mid"), r.get("rss_max"), r.get("rss_end"), 100 * growth, growth <= 0.05 ? "yes" : "NO");
        }
    }

    /** This JVM's command for one backend's soak, with the fixed heap, the thread count and the options of this run. */
    private static List<String> childCommand(String backend, Map<String, String> o) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(List.of(HEAP.split(" ")));
        if (o.containsKey("threads")) {
            cmd.add("-Dllmforge.threads=" + o.get("threads"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RssSoak.class.getName(), "--backend", backend));
        for (String key : o.keySet()) {
            if (!key.equals("backends") && !key.equals("concurrent") && !key.equals("threads")) {
                cmd.addAll(List.of("--" + key, o.get(key)));
            }
        }
        return cmd;
    }

    /** How long a soak runs: a number of steps, or else a number of seconds. */
    private record Length(long steps, double seconds) {
        static Length of(Map<String, String> o) {
            if (o.containsKey("steps")) {
                long steps = Long.parseLong(o.get("steps"));
                if (steps < 3 * SAMPLE_EVERY) {
                    throw new IllegalArgumentException("--steps takes at least " + 3 * SAMPLE_EVERY + " (three samples), found " + steps);
                }
                return new Length(steps, Double.POSITIVE_INFINITY);
            }
            return new Length(Long.MAX_VALUE / 2, Double.parseDouble(o.getOrDefault("seconds", "120")));
        }

        /** How far the run is, 0 to 1, after {@code step} steps and {@code seconds} seconds. */
        double done(long step, double elapsed) {
            return steps < Long.MAX_VALUE / 2 ? (double) step / steps : elapsed / seconds;
        }
    }

    /** One RSS reading: how far the run was (0 to 1) and the resident memory in MiB. */
    private record Sample(double done, double rssMb) {
    }

    /** One backend in this process; prints {@code RESULT steps= seconds= rss_warm= rss_mid= rss_max= rss_end=} (MiB). */
    private static void soak(String backendName, Length length, Map<String, String> o, Path text) throws Exception {
        Path dir = Files.createTempDirectory("llmforge-soak");
        TokenData data = Corpus.prepare(text, "char", dir);
        int width = Integer.parseInt(o.getOrDefault("width", "32"));
        GptConfig model = GptConfig.gpt2(data.vocabSize(), Integer.parseInt(o.getOrDefault("context", "32")), Integer.parseInt(o.getOrDefault("layers", "2")),
                Integer.parseInt(o.getOrDefault("heads", "2")), width).toBuilder().bias(false).build();
        TrainingConfig training = TrainingConfig.builder().batchSize(Integer.parseInt(o.getOrDefault("batch", "8"))).maxIters(length.steps()).decayLr(false)
                .learningRate(1e-3).evalInterval(Long.MAX_VALUE / 2).evalAtStart(false).seed(1).build();
        System.out.println("soak " + backendName + ": " + MODEL_FLAGS.stream().map(k -> k + " " + o.getOrDefault(k, "default")).toList() + ", "
                + (length.steps() < Long.MAX_VALUE / 2 ? length.steps() + " steps" : length.seconds() + " s") + ", llmforge.threads="
                + System.getProperty("llmforge.threads", "(default)"));
        long progressEvery = Long.parseLong(o.getOrDefault("progress", PROGRESS_EVERY));
        Backend backend = Backends.get(backendName);
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long steps;
        try (Trainer trainer = Pretraining.builder().backend(backend).data(data).model(model).config(training).build()) {
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    if (m.step() % SAMPLE_EVERY == 0) {
                        samples.add(new Sample(length.done(m.step(), elapsed), ProcessMemory.rssMb()));
                    }
                    if (m.step() % progressEvery == 0) {
                        System.out.printf(Locale.ROOT, "step %d at %.0f s: RSS %.1f MiB, %d open tensors%n", m.step(), elapsed, ProcessMemory.rssMb(),
                                backend.liveTensorCount());
                    }
                    if (elapsed >= length.seconds()) {
                        trainer.requestStop();
                    }
                }
            });
            steps = trainer.run().lastStep();
        }
        double max = samples.stream().filter(s -> s.done() >= WARMUP_FRACTION).mapToDouble(Sample::rssMb).max().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "RESULT\tsteps=%d\tseconds=%.0f\trss_warm=%.1f\trss_mid=%.1f\trss_max=%.1f\trss_end=%.1f%n", steps,
                (System.nanoTime() - start) / 1e9, rssAt(samples, WARMUP_FRACTION), rssAt(samples, 2 * WARMUP_FRACTION), max,
                samples.get(samples.size() - 1).rssMb());
    }

    /** The first sample at or after {@code done} of the run. */
    private static double rssAt(List<Sample> samples, double done) {
        return samples.stream().filter(s -> s.done() >= done).findFirst().map(Sample::rssMb).orElse(Double.NaN);
    }
}
