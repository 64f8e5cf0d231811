package dev.llmforge.nn;

/** A deterministic stream of well-mixed 64-bit seeds (SplitMix64) for per-call random masks. */
public final class SeedSequence {
    private long state;

    public SeedSequence(long seed) {
        this.state = seed;
    }

    /** The position in the stream (restore it with {@link #setState} to continue exactly from here). */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    public long next() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
