package dev.llmforge.examples.cli;

import dev.llmforge.distributed.ReplicaLauncher;
import dev.llmforge.distributed.ReplicaTask;
import dev.llmforge.spi.Backend;
import dev.llmforge.training.PretrainSettings;
import dev.llmforge.training.Trainer;
import dev.llmforge.training.TrainingConfig;
import dev.llmforge.training.TrainingResult;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --spark-master} and {@code --replicas}: data-parallel training on Apache Spark, for the
 * commands whose step is one model's loss ({@code pretrain}, {@code sft}). The command line does not
 * depend on Spark: the launcher is found through
 * {@link ReplicaLauncher} when the module {@code llmforge-spark} is on the class path.
 */
final class SparkOptions {
    static final String HOW_TO_ADD = "--spark-master and --replicas need the module llmforge-spark and Spark on the class path: run "
            + "LLMFORGE_SPARK=1 ./llmforge ... (it builds spark/target and adds them with the JVM options Spark needs on Java 17), or "
            + "submit the llmforge jar with spark-submit (see spark/README.md)";

    @Option(names = "--spark-master", paramLabel = "URL",
            description = "train data-parallel on Apache Spark: local[N], spark://HOST:7077, yarn, k8s://... (default: none; under "
                    + "spark-submit, its --master)")
    String master;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "1",
            description = "data-parallel replicas, each training on --batch-size rows of every global batch of N x --batch-size (default: "
                    + "${DEFAULT-VALUE}, one process)")
    int replicas;

    /** True when the run is to go to Spark. */
    boolean distributed() {
        return master != null || replicas > 1;
    }

    /**
     * The run's settings with the global batch when the run goes to Spark: as in PyTorch DDP and nanoGPT,
     * {@code --batch-size} is each replica's rows, so the global batch (what the trainer and its
     * checkpoints hold) is N times it. A checkpoint's batch, when no batch size is given on resuming, is
     * already global; it must split evenly.
     *
     * @param resuming true if {@code training} comes from a checkpoint
     * @param given    the settings given (config file, flags), which may hold {@code batch-size}
     */
    @SafeVarargs
    final TrainingConfig globalBatch(TrainingConfig training, boolean resuming, Map<String, String>... given) {
        if (!distributed()) {
            return training;
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
        }
        boolean perReplica = !resuming || Arrays.stream(given).anyMatch(SparkOptions::givesBatchSize);
        if (perReplica) {
            return training.toBuilder().batchSize(training.batchSize() * replicas).build();
        }
        if (training.batchSize() % replicas != 0) {
            throw new IllegalArgumentException("the checkpoint's global batch of " + training.batchSize() + " rows does not split into --replicas "
                    + replicas + ": give --batch-size (rows per replica) or another number of replicas");
        }
        return training;
    }

    /**
     * Runs {@code job}: on the replicas through Spark when {@link #distributed()} (the result is rank 0's,
     * whose losses are the means over the replicas), else here on {@code backend}, stopping cleanly on Ctrl-C.
     *
     * @param training the job's settings, with the global batch
     */
    TrainingResult train(TrainingJob job, Backend backend, TrainingConfig training, PrintWriter w) throws Exception {
        if (!distributed()) {
            try (Trainer trainer = job.build(backend, job.resumeFrom(), null, w)) {
                return TrainingRuns.runStoppingOnInterrupt(trainer, w);
            }
        }
        w.printf(Locale.ROOT, "data-parallel: %d replicas on Spark (master %s), %d rows each, a global batch of %d%n", replicas,
                master == null ? "from spark-submit" : master, training.batchSize() / replicas, training.batchSize());
        w.flush();
        return launch(job).get(0);
    }

    private static boolean givesBatchSize(Map<String, String> settings) {
        return settings.keySet().stream().anyMatch(k -> "batch-size".equals(PretrainSettings.canonical(k)));
    }

    /** Runs {@code task} on the replicas through Spark and returns their results in rank order. */
    private <R extends Serializable> List<R> launch(ReplicaTask<R> task) throws Exception {
        ReplicaLauncher spark = ReplicaLauncher.find("spark").orElseThrow(() -> new IllegalStateException(HOW_TO_ADD));
        return spark.launch(master, replicas, task);
    }
}
