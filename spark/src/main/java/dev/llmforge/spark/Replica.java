package dev.llmforge.spark;

import dev.llmforge.distributed.Collective;

/**
 * What a {@link ReplicaTask} is given: its rank among {@code replicas}, the collective connecting it to
 * the others, and the attempt of the Spark stage (0 first; a retried stage restarts every replica with
 * the next number).
 */
public record Replica(int rank, int replicas, Collective collective, int attempt) {
}
