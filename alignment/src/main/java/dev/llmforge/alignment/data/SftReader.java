package dev.llmforge.alignment.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads supervised fine-tuning records from one or more files, in order. Each file's format is named or detected
 * ({@link SftFormat#detect}). A bad record is an error naming its file, line and what is wrong, or is skipped and
 * counted, as the {@link BadRecords} says.
 *
 * <pre>{@code
 * BadRecords bad = BadRecords.of(skipBadRecords);
 * List<SftRecord> records = SftReader.read(List.of(Path.of("train.jsonl"), Path.of("more.txt")), bad);
 * System.out.println(bad.summary());
 * }</pre>
 */
public final class SftReader {
    private SftReader() {
    }

    /** The records of {@code files}, each in its detected format. */
    public static List<SftRecord> read(List<Path> files, BadRecords bad) throws IOException {
        return RecordFormat.readAll(files, SftFormat::detect, bad);
    }

    /** The records of {@code files}, all in {@code format}. */
    public static List<SftRecord> read(List<Path> files, SftFormat format, BadRecords bad) throws IOException {
        return RecordFormat.readAll(files, file -> format, bad);
    }
}
