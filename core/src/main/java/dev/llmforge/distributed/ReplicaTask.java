package dev.llmforge.distributed;

import java.io.Serializable;

/**
 * The work of one replica of a data-parallel run. A {@link ReplicaLauncher} may serialise it to other
 * machines, so it may capture only serialisable values (paths as strings, configs, seeds). Its result
 * goes back to the launcher.
 */
@FunctionalInterface
public interface ReplicaTask<R extends Serializable> extends Serializable {
    R run(Replica replica) throws Exception;
}
