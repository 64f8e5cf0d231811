package dev.llmforge.alignment.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads preference data from one or more files, in order, as groups (one prompt and its pairs). Each file's
 * format is named or detected ({@link PreferenceFormat#detect}). A bad record is an error naming its file, line
 * and what is wrong, or is skipped and counted, as the {@link BadRecords} says.
 */
public final class PreferenceReader {
    private PreferenceReader() {
    }

    /** The groups of {@code files}, each in its detected format. */
    public static List<PreferenceGroup> read(List<Path> files, BadRecords bad) throws IOException {
        return RecordFormat.readAll(files, PreferenceFormat::detect, bad);
    }

    /** The groups of {@code files}, all in {@code format}. */
    public static List<PreferenceGroup> read(List<Path> files, PreferenceFormat format, BadRecords bad)
            throws IOException {
        return RecordFormat.readAll(files, file -> format, bad);
    }
}
