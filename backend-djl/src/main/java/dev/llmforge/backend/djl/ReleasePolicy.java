package dev.llmforge.backend.djl;

import java.util.function.LongSupplier;

/**
 * When memory that the engine freed goes back to the operating system: when the process's resident
 * memory has grown, not after every step. A training step allocates and frees its working set (its
 * activations and gradients); glibc keeps the freed pages, and the next step reuses them. Giving them
 * back after every step only makes the next step fault them in again — at 10.7M parameters that is
 * hundreds of thousands of page faults and about a second of kernel time per step. What is worth
 * giving back is growth: free memory that glibc's heap accumulates as allocations of changing sizes
 * fragment it, which raises the peak resident size run after run.
 *
 * <p>So the resident size read {@value #SETTLE_STEPS} steps after a release (or the start), and at
 * least {@value #MIN_PERIOD_MILLIS} ms after it, is the baseline: the working set, faulted back in,
 * with the optimiser's state and the heap's layout of the first steps settled. Memory is released
 * again only when the resident size exceeds that baseline by more than {@value #MIN_GROWTH_MIB} MiB
 * or 1/32 of it, whichever is larger. A run whose working set is stable releases nothing, at any size.
 */
final class ReleasePolicy {
    static final long MIN_PERIOD_MILLIS = 1000;
    static final long MIN_GROWTH_MIB = 16;
    static final int SETTLE_STEPS = 5;

    private final LongSupplier residentBytes;
    private final LongSupplier nanoClock;
    private long lastRelease;
    private int stepsSinceRelease;
    private long baseline = -1;

    /**
     * @param residentBytes the process's resident size now (read only when a release could be due)
     * @param nanoClock     monotonic time in nanoseconds
     */
    ReleasePolicy(LongSupplier residentBytes, LongSupplier nanoClock) {
        this.residentBytes = residentBytes;
        this.nanoClock = nanoClock;
        this.lastRelease = nanoClock.getAsLong();
    }

    /** Called between steps: whether to release freed memory now (if so, the caller does, and this counts it as done). */
    boolean releaseDue() {
        stepsSinceRelease++;
        long now = nanoClock.getAsLong();
        if (stepsSinceRelease < SETTLE_STEPS || now - lastRelease < MIN_PERIOD_MILLIS * 1_000_000) {
            return false;
        }
        long resident = residentBytes.getAsLong();
        if (resident < 0) {
            return false;
        }
        if (baseline < 0) {
            baseline = resident;
            return false;
        }
        if (resident - baseline <= Math.max(MIN_GROWTH_MIB << 20, baseline / 32)) {
            return false;
        }
        released();
        return true;
    }

    /** Records a release made now (by this policy or on request): the next reading is the new baseline. */
    void released() {
        lastRelease = nanoClock.getAsLong();
        stepsSinceRelease = 0;
        baseline = -1;
    }
}
