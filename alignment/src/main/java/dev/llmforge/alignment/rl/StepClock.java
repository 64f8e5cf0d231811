package dev.llmforge.alignment.rl;

import dev.llmforge.training.StepContext;

/**
 * Where the time of a PPO or GRPO step goes: sampling the responses, scoring them (rewards, the policy's and
 * the reference's log-probabilities, values), and the updates; recorded as {@code time_sample_s},
 * {@code time_score_s} and {@code time_update_s}.
 */
final class StepClock {
    private long mark = System.nanoTime();
    private double sampling;
    private double scoring;

    /** Sampling is over. */
    void sampled() {
        sampling = lap();
    }

    /** Scoring is over. */
    void scored() {
        scoring = lap();
    }

    /** The updates are over: records the three times. */
    void updated(StepContext step) {
        step.record("time_sample_s", sampling);
        step.record("time_score_s", scoring);
        step.record("time_update_s", lap());
    }

    private double lap() {
        long now = System.nanoTime();
        double seconds = (now - mark) / 1e9;
        mark = now;
        return seconds;
    }
}
