package dev.llmforge.training.data;

import java.util.Map;

/**
 * An endless stream of micro-batches whose position can be saved and restored, so that a training
 * run resumed from a checkpoint draws exactly the batches an uninterrupted run would have drawn.
 */
public interface BatchSource {
    /** The next micro-batch. */
    Batch next();

    /** Where the source is, as named integers (saved in {@code trainer.json}). */
    Map<String, Long> state();

    /**
     * Continues from a position returned by {@link #state()} of a source built the same way.
     *
     * @throws IllegalArgumentException if a value this source needs is missing
     */
    void restore(Map<String, Long> state);

    /** The value of {@code key} in a saved state, or an error naming the key and {@code owner}. */
    static long required(Map<String, Long> state, String key, String owner) {
        Long v = state.get(key);
        if (v == null) {
            throw new IllegalArgumentException("the saved state of " + owner + " has no '" + key + "' (it has " + state.keySet() + ")");
        }
        return v;
    }
}
