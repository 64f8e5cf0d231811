package dev.llmforge.spark;

import java.io.Serializable;

/** How a {@link DataParallelJob} runs: the number of replicas, their collective and the ring's timeouts. */
public record DataParallelOptions(int replicas, CollectiveKind collective, RingOptions ring) implements Serializable {

    public DataParallelOptions {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
        }
    }

    /** {@code replicas} replicas on the TCP ring with {@link RingOptions#DEFAULTS}. */
    public static DataParallelOptions replicas(int replicas) {
        return new DataParallelOptions(replicas, CollectiveKind.RING, RingOptions.DEFAULTS);
    }

    public DataParallelOptions withCollective(CollectiveKind kind) {
        return new DataParallelOptions(replicas, kind, ring);
    }

    public DataParallelOptions withRing(RingOptions options) {
        return new DataParallelOptions(replicas, collective, options);
    }
}
