package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.model.GptConfig;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A soak of small training steps per backend: each backend in its own JVM trains a tiny GPT
 * (2 layers, width 32, context 32, batch 8, AdamW, no checkpoints) for a fixed wall time, reading
 * its resident set size (VmRSS) every 50 steps. The Java heap is fixed and touched at start
 * ({@value #HEAP}), so that its lazy growth does not count. After a warm-up (the first third of the
 * time) the resident memory must stay within 5% of its value at the end of the warm-up: a leak of
 * tensors, engine handles or compiled programs shows as growth. RSS is also printed at two thirds
 * of the time, to tell growth that levels off from growth that goes on.
 *
 * <pre>
 * java -cp "$CP" dev.llmforge.benchmarks.pretrain.RssSoak [--seconds 120] [--backends reference,djl,tensorflow,nd4j]
 * </pre>
 */
public final class RssSoak {
    private static final int SAMPLE_EVERY = 50;
    private static final double WARMUP_FRACTION = 1.0 / 3;
    private static final String HEAP = "-Xms512m -Xmx512m -XX:+AlwaysPreTouch";

    private RssSoak() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = PretrainRun.parse(args);
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "120"));
        Path text = Path.of(o.getOrDefault("data", PretrainRun.DEFAULT_TEXT));
        if (o.containsKey("backend")) {
            soak(o.get("backend"), seconds, text);
            return;
        }
        System.out.printf(Locale.ROOT, "%-11s %8s %12s %12s %12s %12s %9s  %s%n", "backend", "steps", "RSS@1/3 MiB", "RSS@2/3 MiB",
                "RSS max MiB", "RSS end MiB", "growth", "flat within 5%");
        for (String backend : o.getOrDefault("backends", "reference,djl,tensorflow,nd4j").split(",")) {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            cmd.addAll(List.of(HEAP.split(" ")));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RssSoak.class.getName(), "--backend", backend, "--seconds", Integer.toString(seconds),
                    "--data", text.toString()));
            Map<String, String> r = ChildRun.run(cmd, line -> { });
            if (r.containsKey("error")) {
                System.out.printf(Locale.ROOT, "%-11s skipped: %s%n", backend, r.get("error"));
                continue;
            }
            double growth = ChildRun.num(r, "rss_max") / ChildRun.num(r, "rss_warm") - 1;
            System.out.printf(Locale.ROOT, "%-11s %8s %12s %12s %12s %12s %8.1f%%  %s%n", backend, r.get("steps"), r.get("rss_warm"),
                    r.get("rss_mid"), r.get("rss_max"), r.get("rss_end"), 100 * growth, growth <= 0.05 ? "yes" : "NO");
        }
    }

    /** One backend in this process; prints {@code RESULT steps= rss_warm= rss_mid= rss_max= rss_end=} (MiB). */
    private static void soak(String backendName, int seconds, Path text) throws Exception {
        Path dir = Files.createTempDirectory("llmforge-soak");
        TokenData data = Corpus.prepare(text, "char", dir);
        GptConfig model = GptConfig.gpt2(data.vocabSize(), 32, 2, 2, 32).toBuilder().bias(false).build();
        TrainingConfig training = TrainingConfig.builder().batchSize(8).maxIters(Long.MAX_VALUE / 2).decayLr(false).learningRate(1e-3)
                .evalInterval(Long.MAX_VALUE / 2).evalAtStart(false).seed(1).build();
        List<double[]> samples = new ArrayList<>(); // (seconds since start, RSS MiB)
        long start = System.nanoTime();
        try (Trainer trainer = Pretraining.builder().backend(Backends.get(backendName)).data(data).model(model).config(training).build()) {
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    double t = (System.nanoTime() - start) / 1e9;
                    if (m.step() % SAMPLE_EVERY == 0) {
                        samples.add(new double[] {t, ProcessMemory.rssMb()});
                    }
                    if (t >= seconds) {
                        trainer.requestStop();
                    }
                }
            });
            long steps = trainer.run().lastStep();
            double max = 0;
            for (double[] s : samples) {
                if (s[0] >= seconds * WARMUP_FRACTION) {
                    max = Math.max(max, s[1]);
                }
            }
            System.out.printf(Locale.ROOT, "RESULT\tsteps=%d\trss_warm=%.1f\trss_mid=%.1f\trss_max=%.1f\trss_end=%.1f%n", steps,
                    rssAt(samples, seconds * WARMUP_FRACTION), rssAt(samples, seconds * 2 * WARMUP_FRACTION), max, samples.get(samples.size() - 1)[1]);
        }
    }

    /** The first sample at or after {@code seconds}. */
    private static double rssAt(List<double[]> samples, double seconds) {
        return samples.stream().filter(s -> s[0] >= seconds).findFirst().map(s -> s[1]).orElse(Double.NaN);
    }
}
