package dev.llmforge.examples.cli;

/**
 * Range checks of numeric flags, failing with the flag's own name, what it takes and what was given
 * ({@code --temperature must be ... , got 1e-320}). Commands check their flags before any work.
 */
final class FlagChecks {
    private FlagChecks() {
    }

    /** An integer flag from {@code min} to {@code max}. */
    static void range(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " takes an integer from " + min + " to " + max + ", got " + value);
        }
    }

    /** A finite number flag from {@code min} to {@code max} (both included). */
    static void range(String flag, double value, double min, double max) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(flag + " takes a finite number, got " + value);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " takes a number from " + min + " to " + max + ", got " + value);
        }
    }
}
