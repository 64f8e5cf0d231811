package dev.llmforge.benchmarks.spark;

import dev.llmforge.benchmarks.pretrain.Corpus;
import dev.llmforge.benchmarks.pretrain.PretrainRun;
import dev.llmforge.distributed.Collective;
import dev.llmforge.distributed.DataParallel;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.optim.AdamW;
import dev.llmforge.spark.DataParallelJob;
import dev.llmforge.spark.DataParallelOptions;
import dev.llmforge.distributed.Replica;
import dev.llmforge.spark.RingCollective;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.WindowSource;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenData;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Data-parallel training step time in Spark local mode: nanoGPT's character-level Shakespeare model
 * (4 layers, 4 heads, width 128, block 64) with a global batch of 12, on 1 replica (batch 12) and on 2
 * replicas (batch 6 each, gradients averaged through the TCP ring), alternating, each replica with the
 * engine's intra-op threads given by {@code -Dllmforge.threads} (1 recommended: one core per replica).
 *
 * <p>Per step it times the compute (batch, forward, backward, AdamW, reading the loss), the wait for the
 * slower replica (a ring barrier before the averaging, in this benchmark only), and
 * {@code DataParallel.averageGradients()} (device-to-host copies, ring all-reduce, division, copies
 * back), and separately, after training, the ring all-reduce alone on a host buffer of the same length
 * and of 10M floats; it counts the bytes each replica sends per step. The replicas draw the same windows
 * as one machine, so the per-step mean losses of both runs are compared too.
 *
 * <pre>
 * java $SPARK_JAVA17_OPTIONS -Dllmforge.threads=1 -cp "$CP" dev.llmforge.benchmarks.spark.DataParallelBenchmark
 *      [--rounds 3] [--warmup 20] [--iters 100] [--backend djl] [--data PATH]
 * </pre>
 */
public final class DataParallelBenchmark {
    private static final int GLOBAL_BATCH = 12;
    private static final long SEED = 1337;
    private static final int RING_SIZE_10M = 10_000_000;

    /** One replica's figures, medians over the timed steps. */
    record ReplicaFigures(double wallMs, double computeMs, double waitMs, double averageMs, double ringMs, double ring10MMs, long bytesPerStep,
                          long floatsPerStep, int blockSize, float[] meanLosses) implements Serializable {
    }

    private DataParallelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int warmup = 20;
        int iters = 100;
        String backend = "djl";
        Path text = Path.of(PretrainRun.DEFAULT_TEXT);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--backend" -> backend = args[++i];
                case "--data" -> text = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --rounds N, --warmup N, --iters N, --backend NAME, --data PATH)");
            }
        }
        Path dir = Files.createTempDirectory("llmforge-dp-bench");
        String dataDir = Corpus.prepare(text, "char", dir).directory().toString();
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("llmforge data-parallel benchmark")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        System.out.printf(Locale.ROOT, "backend %s, llmforge.threads=%s, global batch %d, %d warm-up + %d timed steps, %d rounds%n",
                backend, System.getProperty("llmforge.threads", "(default)"), GLOBAL_BATCH, warmup, iters, rounds);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            for (int round = 1; round <= rounds; round++) {
                float[] single = null;
                for (int replicas : round % 2 == 1 ? new int[] {1, 2} : new int[] {2, 1}) {
                    List<ReplicaFigures> figures = run(sc, replicas, dataDir, backend, warmup, iters);
                    print(round, replicas, figures);
                    if (replicas == 1) {
                        single = figures.get(0).meanLosses();
                    } else if (single != null) {
                        System.out.printf(Locale.ROOT, "    largest difference of the per-step mean loss, 2 replicas vs 1: %.2e%n",
                                maxDifference(single, figures.get(0).meanLosses()));
                    }
                }
            }
        }
    }

    private static List<ReplicaFigures> run(JavaSparkContext sc, int replicas, String dataDir, String backendName, int warmup, int iters) {
        return DataParallelJob.run(sc, DataParallelOptions.replicas(replicas), replica -> train(replica, dataDir, backendName, warmup, iters));
    }

    private static ReplicaFigures train(Replica replica, String dataDir, String backendName, int warmup, int iters) throws Exception {
        Backend backend = Backends.get(backendName);
        Collective collective = replica.collective();
        TokenData data = TokenData.open(Path.of(dataDir));
        GptConfig config = GptConfig.shakespeareChar(data.vocabSize());
        WindowSource sampler = WindowSource.replicaShare(data.train(), GLOBAL_BATCH, config.blockSize(), new Rng(SEED),
                replica.rank(), replica.replicas());
        int steps = warmup + iters;
        double[] wall = new double[iters];
        double[] compute = new double[iters];
        double[] wait = new double[iters];
        double[] average = new double[iters];
        float[] losses = new float[steps];
        long bytesBefore = 0;
        try (Gpt model = new Gpt(config, backend, SEED);
                AdamW adamw = AdamW.builder(model.namedParameters()).lr(1e-3).betas(0.9, 0.99).weightDecay(0.1).build()) {
            DataParallel dp = new DataParallel(collective, model.namedParameters());
            if (replica.replicas() > 1) {
                dp.broadcastParameters();
            }
            for (int step = 0; step < steps; step++) {
                if (step == warmup) {
                    bytesBefore = bytesSent(collective);
                }
                long t0 = System.nanoTime();
                long t1;
                long tWaited;
                long t2;
                try (TensorScope ignored = TensorScope.open()) {
                    Batch batch = sampler.next();
                    Tensor x = Tensor.on(backend).of(batch.longs(Batch.IDS), batch.shape(Batch.IDS));
                    Tensor y = Tensor.on(backend).of(batch.longs(Batch.TARGETS), batch.shape(Batch.TARGETS));
                    Tensor loss = model.loss(x, y);
                    loss.backward();
                    t1 = System.nanoTime();
                    if (replica.replicas() > 1) {
                        collective.barrier(); // benchmark only: waiting for the slower replica, apart from the averaging itself
                    }
                    tWaited = System.nanoTime();
                    if (replica.replicas() > 1) {
                        dp.averageGradients();
                    }
                    t2 = System.nanoTime();
                    adamw.step();
                    adamw.zeroGrad();
                    losses[step] = (float) loss.item();
                }
                long t3 = System.nanoTime();
                if (step >= warmup) {
                    wall[step - warmup] = (t3 - t0) / 1e6;
                    compute[step - warmup] = (t1 - t0 + t3 - t2) / 1e6;
                    wait[step - warmup] = (tWaited - t1) / 1e6;
                    average[step - warmup] = (t2 - tWaited) / 1e6;
                }
            }
            long bytesPerStep = (bytesSent(collective) - bytesBefore) / iters;
            collective.allReduce(FloatBuffer.wrap(losses)); // the global batch's mean loss per step, as one machine prints it
            for (int i = 0; i < losses.length; i++) {
                losses[i] /= replica.replicas();
            }
            int floats = Math.toIntExact(dp.floatsPerStep());
            return new ReplicaFigures(median(wall), median(compute), median(wait), median(average), ringMillis(collective, floats, 20),
                    ringMillis(collective, RING_SIZE_10M, 5), bytesPerStep, floats, config.blockSize(), losses);
        }
    }

    /** Median time of one all-reduce of {@code floats} host floats, every replica starting together. */
    private static double ringMillis(Collective collective, int floats, int repeats) {
        if (collective.size() == 1) {
            return 0;
        }
        float[] buffer = new float[floats];
        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            collective.barrier();
            long t = System.nanoTime();
            collective.allReduce(FloatBuffer.wrap(buffer));
            times[i] = (System.nanoTime() - t) / 1e6;
        }
        return median(times);
    }

    private static long bytesSent(Collective collective) {
        return collective instanceof RingCollective ring ? ring.bytesSent() : 0;
    }

    private static void print(int round, int replicas, List<ReplicaFigures> figures) {
        for (int r = 0; r < figures.size(); r++) {
            ReplicaFigures f = figures.get(r);
            System.out.printf(Locale.ROOT,
                    "round %d, %d replica(s), rank %d: step %.1f ms (compute %.1f, waiting for the other replica %.2f, averageGradients %.2f) = %,.0f tokens/s;"
                            + " ring all-reduce of the %,d-float gradient %.2f ms, of 10M floats %.1f ms (%.2f GB/s sent per replica); %,d bytes sent per step%n",
                    round, replicas, r, f.wallMs(), f.computeMs(), f.waitMs(), f.averageMs(), GLOBAL_BATCH * f.blockSize() / (f.wallMs() / 1000), f.floatsPerStep(),
                    f.ringMs(), f.ring10MMs(), f.ring10MMs() == 0 ? 0 : 2.0 * (replicas - 1) / replicas * RING_SIZE_10M * 4 / (f.ring10MMs() * 1e6),
                    f.bytesPerStep());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double maxDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
