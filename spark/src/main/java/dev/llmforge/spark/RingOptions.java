package dev.llmforge.spark;

import java.io.Serializable;
import java.time.Duration;

/**
 * Timeouts of the socket ring. {@code connectTimeout} bounds building the ring (connecting to the next
 * replica, accepting the previous one); {@code ioTimeout} is the longest a collective waits without any
 * progress (no byte sent or received) before it fails naming the peer. The I/O timeout must exceed the
 * longest a replica may lag behind the others: the difference in step time, and a checkpoint written by
 * rank 0 while the others wait in their next all-reduce.
 */
public record RingOptions(Duration connectTimeout, Duration ioTimeout) implements Serializable {
    /** Two minutes to connect; thirty minutes without progress (PyTorch's default process-group timeout). */
    public static final RingOptions DEFAULTS = new RingOptions(Duration.ofMinutes(2), Duration.ofMinutes(30));

    public RingOptions {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ring timeouts must be positive, got connect " + connectTimeout + " and I/O " + ioTimeout);
        }
    }
}
