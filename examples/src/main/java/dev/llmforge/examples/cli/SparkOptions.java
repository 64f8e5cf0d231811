package dev.llmforge.examples.cli;

import dev.llmforge.distributed.ReplicaLauncher;
import dev.llmforge.distributed.ReplicaTask;
import dev.llmforge.training.TrainingConfig;
import java.io.Serializable;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --spark-master} and {@code --replicas}: data-parallel training on Apache Spark, for every
 * training command. The command line does not depend on Spark: the launcher is found through
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
     * The run's settings with the global batch: as in PyTorch DDP and nanoGPT, {@code --batch-size} is
     * each replica's rows, so the global batch (what the trainer and its checkpoints hold) is N times it.
     * A checkpoint's batch, when no batch size is given on resuming, is already global; it must split
     * evenly.
     *
     * @param perReplica true if {@code training}'s batch size is per replica (given, or the reference run's)
     */
    TrainingConfig globalBatch(TrainingConfig training, boolean perReplica) {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
        }
        if (perReplica) {
            return training.toBuilder().batchSize(training.batchSize() * replicas).build();
        }
        if (training.batchSize() % replicas != 0) {
            throw new IllegalArgumentException("the checkpoint's global batch of " + training.batchSize() + " rows does not split into --replicas "
                    + replicas + ": give --batch-size (rows per replica) or another number of replicas");
        }
        return training;
    }

    /** Runs {@code task} on the replicas through Spark and returns their results in rank order. */
    <R extends Serializable> List<R> launch(ReplicaTask<R> task) throws Exception {
        ReplicaLauncher spark = ReplicaLauncher.find("spark").orElseThrow(() -> new IllegalStateException(HOW_TO_ADD));
        return spark.launch(master, replicas, task);
    }
}
