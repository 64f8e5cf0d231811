package dev.llmforge.distributed;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Runs the replicas of a data-parallel run on a cluster and connects them with a {@link Collective}.
 * Implementations register through {@link ServiceLoader} (the module {@code llmforge-spark} provides
 * {@code spark}), so that a program finds one when its module is on the class path and depends on none.
 */
public interface ReplicaLauncher {
    /** The launcher's name ({@code spark}). */
    String name();

    /**
     * Runs {@code task} on {@code replicas} replicas and returns their results in rank order.
     *
     * @param master where to run (for Spark a master URL such as {@code local[2]} or {@code spark://host:7077}); null for the
     *               launcher's own configuration (for Spark, what {@code spark-submit} set)
     * @throws Exception the replicas' failure, once the launcher gave up retrying
     */
    <R extends Serializable> List<R> launch(String master, int replicas, ReplicaTask<R> task) throws Exception;

    /** The launcher of this name on the class path, if any. */
    static Optional<ReplicaLauncher> find(String name) {
        for (ReplicaLauncher l : ServiceLoader.load(ReplicaLauncher.class)) {
            if (l.name().equals(name)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
