package dev.llmforge.alignment.data;

/**
 * A record that could not be used: where it is and what is wrong with it.
 *
 * @param location its file and line
 * @param reason   what was expected and what was found
 */
public record BadRecord(RecordLocation location, String reason) {
    /** {@code file:line: reason}. */
    @Override
    public String toString() {
        return location + ": " + reason;
    }
}
