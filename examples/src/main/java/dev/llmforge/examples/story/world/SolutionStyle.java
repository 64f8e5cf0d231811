package dev.llmforge.examples.story.world;

/** How a worked solution writes its additions and subtractions. */
public enum SolutionStyle {
    /** "70 - 3 = 67": each step one equation. */
    COMPACT,
    /**
     * Two-digit sums and differences column by column before the result, ones first, with the carry or borrow
     * said: "70 - 3: ones 10 - 3 = 7 borrow 1, tens 7 - 0 - 1 = 6, so 70 - 3 = 67". Longer, but each character follows
     * from a few before it, which a small character-level model may learn more easily.
     */
    COLUMNS
}
