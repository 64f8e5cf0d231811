package dev.llmforge.distributed;

/**
 * What a {@link ReplicaTask} is given: its rank among {@code replicas}, the collective connecting it to
 * the others, and the attempt (0 first; when a launcher restarts the replicas after a failure, as a
 * retried Spark barrier stage does, every replica gets the next number).
 */
public record Replica(int rank, int replicas, Collective collective, int attempt) {
}
