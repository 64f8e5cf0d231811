package dev.llmforge.spark;

import dev.llmforge.distributed.Replica;
import dev.llmforge.distributed.ReplicaTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.reflect.ClassTag;

/**
 * Runs a {@link ReplicaTask} on N replicas at once, as one Spark barrier stage with one task per
 * replica (the pattern of PySpark's TorchDistributor and Horovod on Spark): Spark schedules the N tasks
 * together, the tasks meet once through the driver to learn each other's addresses, and from then on
 * talk to each other directly through the {@link CollectiveKind collective}.
 *
 * <pre>{@code
 * List<float[]> finals = DataParallelJob.run(sc, DataParallelOptions.replicas(2), replica -> {
 *     try (Gpt model = new Gpt(config, Backends.get(), seed)) {
 *         DataParallel dp = new DataParallel(replica.collective(), model.namedParameters());
 *         dp.broadcastParameters();
 *         ... // each step: this replica's rows, backward, dp.averageGradients(), optimiser step
 *         return finalValues;
 *     }
 * });
 * }</pre>
 *
 * <p>The barrier stage is a shuffle-map stage (its results are collected through a one-partition
 * shuffle), because Spark retries a failed barrier shuffle-map stage as a whole, up to
 * {@code spark.stage.maxConsecutiveAttempts} times, while a failed barrier result stage fails the job.
 * A retried stage restarts every replica ({@link Replica#attempt()} tells which attempt it is).
 */
public final class DataParallelJob {
    private static final String INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel";
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[(\\d+),\\s*(\\d+),\\s*\\d+]");

    private DataParallelJob() {
    }

    /** Runs {@code task} on {@code options.replicas()} replicas and returns their results in rank order. */
    public static <R extends Serializable> List<R> run(JavaSparkContext sc, DataParallelOptions options, ReplicaTask<R> task) {
        int n = options.replicas();
        checkSlots(sc.master(), n);
        @SuppressWarnings({"unchecked", "rawtypes"})
        ClassTag<Tuple2<Integer, R>> tag = (ClassTag) ClassTag$.MODULE$.apply(Tuple2.class);
        RDD<Integer> ranks = sc.parallelize(IntStream.range(0, n).boxed().collect(Collectors.toList()), n).rdd();
        RDD<Tuple2<Integer, R>> replicas = ranks.barrier().mapPartitions(new ReplicaFunction<>(options, task), false, tag);
        String interrupt = sc.getLocalProperty(INTERRUPT_ON_CANCEL);
        sc.setLocalProperty(INTERRUPT_ON_CANCEL, "true"); // a killed replica's thread is interrupted, which ends its waits at once
        List<Tuple2<Integer, R>> results;
        try {
            results = new JavaRDD<>(replicas, tag).repartition(1).collect();
        } finally {
            sc.setLocalProperty(INTERRUPT_ON_CANCEL, interrupt);
        }
        List<R> byRank = new ArrayList<>(Collections.nCopies(n, null));
        for (Tuple2<Integer, R> r : results) {
            byRank.set(r._1(), r._2());
        }
        return byRank;
    }

    /**
     * A barrier stage needs all its tasks running at once. On a cluster Spark checks that itself; in local
     * modes it would retry its check for minutes before failing, so the slots are counted here.
     */
    static void checkSlots(String master, int replicas) {
        int slots;
        Matcher local = LOCAL.matcher(master);
        Matcher cluster = LOCAL_CLUSTER.matcher(master);
        if (local.matches()) {
            String threads = local.group(1);
            slots = threads == null ? 1 : threads.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        } else if (cluster.matches()) {
            slots = Integer.parseInt(cluster.group(1)) * Integer.parseInt(cluster.group(2));
        } else {
            return;
        }
        if (replicas > slots) {
            throw new IllegalArgumentException("--replicas " + replicas + " needs " + replicas + " tasks running at once (one barrier stage), but master "
                    + master + " runs " + slots + " at a time: use local[" + replicas + "] or more, or fewer replicas");
        }
    }
}
