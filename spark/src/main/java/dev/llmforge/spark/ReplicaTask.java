package dev.llmforge.spark;

import java.io.Serializable;

/**
 * The work of one replica, run on an executor. It is serialised to the executors, so it may capture
 * only serialisable values (paths as strings, configs, seeds). Its result is sent back to the driver.
 */
@FunctionalInterface
public interface ReplicaTask<R extends Serializable> extends Serializable {
    R run(Replica replica) throws Exception;
}
