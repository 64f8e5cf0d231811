package dev.llmforge.alignment.rl;

import dev.llmforge.training.data.Rng;

/** Seeds derived from the run's seed and a position (step, pass): the same position gets the same seed on resume. */
final class Seeds {
    private Seeds() {
    }

    static long of(long seed, long... position) {
        long s = seed;
        for (long p : position) {
            s = new Rng(s ^ p * 0x9E3779B97F4A7C15L).nextLong();
        }
        return s;
    }
}
