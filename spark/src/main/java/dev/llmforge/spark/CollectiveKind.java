package dev.llmforge.spark;

/** Which collective the replicas of a {@link DataParallelJob} use. */
public enum CollectiveKind {
    /** {@link RingCollective}: ring all-reduce over TCP between the tasks; the driver is used once, for the rendezvous. */
    RING,
    /** {@link SparkDriverCollective}: every operation through the driver ({@code allGather}); small models and tests. */
    SPARK_DRIVER
}
