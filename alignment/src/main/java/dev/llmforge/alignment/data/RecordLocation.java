package dev.llmforge.alignment.data;

import java.util.Objects;

/**
 * Where a record comes from: its file and the 1-based line it starts on.
 *
 * @param file the file as it was named to the reader
 * @param line the line, counting from 1
 */
public record RecordLocation(String file, int line) {
    public RecordLocation {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("a line number counts from 1, found " + line);
        }
    }

    /** {@code file:line}, as compilers write it. */
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
