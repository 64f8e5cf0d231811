package dev.llmforge.spark;

import com.google.auto.service.AutoService;
import dev.llmforge.distributed.ReplicaLauncher;
import dev.llmforge.distributed.ReplicaTask;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code spark} {@link ReplicaLauncher}: starts a Spark application (or joins the one
 * {@code spark-submit} configured), runs the replicas as one {@link DataParallelJob} on the TCP ring,
 * and stops the application. Found through {@link java.util.ServiceLoader} by programs that do not
 * depend on this module ({@code llmforge pretrain --spark-master ...}).
 *
 * <p>Settings from {@code spark-submit} or {@code -Dspark.*} properties win; where they are missing it
 * sets a barrier timeout of 10 minutes (Spark's default is a year: a replica lost at the rendezvous
 * would hang the job) and turns off the console progress bar, which would garble the training log.
 */
@AutoService(ReplicaLauncher.class)
public final class SparkReplicaLauncher implements ReplicaLauncher {
    public static final String NAME = "spark";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <R extends Serializable> List<R> launch(String master, int replicas, ReplicaTask<R> task) {
        SparkConf conf = new SparkConf().setIfMissing("spark.app.name", "llmforge").setIfMissing("spark.barrier.sync.timeout", "600s")
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("no Spark master: pass --spark-master (local[N], spark://HOST:7077, yarn, k8s://...) "
                    + "or start the program with spark-submit --master");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            sc.setLogLevel("WARN");
            return DataParallelJob.run(sc, DataParallelOptions.replicas(replicas), task);
        } finally {
            sc.stop();
        }
    }
}
