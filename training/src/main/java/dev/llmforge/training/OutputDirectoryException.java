package dev.llmforge.training;

/**
 * An output directory a run cannot use: it holds an earlier run's checkpoint that would be replaced,
 * or another live run holds its lock. A user error (choose another directory, resume, overwrite),
 * reported by message alone; other {@link IllegalStateException}s are bugs.
 */
public final class OutputDirectoryException extends IllegalStateException {
    public OutputDirectoryException(String message) {
        super(message);
    }
}
