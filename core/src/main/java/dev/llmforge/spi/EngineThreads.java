package dev.llmforge.spi;

import java.lang.management.ManagementFactory;

/**
 * The thread settings every backend shares. An engine's intra-op thread count is
 * {@value #PROPERTY} if set, else the free processors: the available ones minus those other
 * processes keep busy when the backend starts, at least one ({@link OtherProcessesLoad}: measured
 * over a fifth of a second from {@code /proc/stat}, or the 1-minute load average where that file
 * is missing; the load average lags, so right after a build it saw the build). PyTorch's
 * and libnd4j's OpenMP threads and OpenBLAS's workers spin while they wait, so a thread placed on a
 * core that something else uses slows every op down, a small matmul by orders of magnitude on a
 * busy two-core machine (measured in backend-djl's README, Settings).
 */
public final class EngineThreads {
    /** System property naming the intra-op thread count of every backend. */
    public static final String PROPERTY = "llmforge.threads";

    private EngineThreads() {
    }

    /** {@value #PROPERTY} if set (a positive whole number, else an error naming it), else {@link #freeProcessors()}. */
    public static int intraOp() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? freeProcessors() : (int) positiveProperty(PROPERTY, 1); // measures only if unset
    }

    /** The processors not kept busy by other work, now. */
    public static int freeProcessors() {
        double busy = OtherProcessesLoad.measure()
                .orElseGet(() -> ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return freeProcessors(Runtime.getRuntime().availableProcessors(), busy);
    }

    /** {@code processors - round(load)}, between 1 and {@code processors}; a negative load (unknown) counts as none. */
    public static int freeProcessors(int processors, double load) {
        long busy = Math.round(Math.max(0, load));
        return (int) Math.max(1, Math.min(processors, processors - busy));
    }

    /**
     * The system property {@code name} as a positive whole number, or {@code fallback} if it is unset
     * or blank; any other value is an {@link IllegalArgumentException} naming the property and the value.
     */
    public static long positiveProperty(String name, long fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + name + " must be a positive whole number, was '" + value + "'");
    }
}
