package dev.llmforge.training.data;

import static dev.llmforge.testing.FileFuzzer.assertOnlyTypedErrorsFromFile;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset files' readers on seeded mutants (truncations, bit flips, hostile lengths): a typed IOException or success, in bounded time. */
class DataFilesFuzzTest {
    private static final int MUTANTS = 300;
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path preparedData() throws Exception {
        String text = Files.readString(Path.of(getClass().getResource("/nanogpt/head2000.txt").toURI()));
        Path data = dir.resolve("data");
        DatasetPreparer.prepare(text, "char", data, 0.9, "head2000.txt");
        return data;
    }

    @Test
    void nanoGptMetaPickle() throws Exception {
        byte[] valid = Files.readAllBytes(Path.of(getClass().getResource("/nanogpt/meta.pkl").toURI()));
        Path file = dir.resolve("meta.pkl");
        assertOnlyTypedErrorsFromFile(file, valid, 21, MUTANTS, BOUND, f -> NanoGptMeta.read(f), IOException.class);
    }

    @Test
    void preparedDataMetaJson() throws Exception {
        Path data = preparedData();
        Path meta = data.resolve(DatasetMeta.FILE_NAME);
        byte[] valid = Files.readAllBytes(meta);
        assertOnlyTypedErrorsFromFile(meta, valid, 22, MUTANTS, BOUND, f -> TokenData.open(data), IOException.class);
    }

    @Test
    void fractionalAndOversizedCountsInMetaJsonAreRefused() throws Exception {
        Path data = preparedData();
        Path meta = data.resolve(DatasetMeta.FILE_NAME);
        String valid = Files.readString(meta);
        Files.writeString(meta, valid.replaceFirst("\"vocab_size\"\\s*:\\s*\\d+", "\"vocab_size\": 65.5"));
        IOException e = assertThrows(IOException.class, () -> TokenData.open(data));
        assertTrue(e.getMessage().contains("expected a non-negative integer 'vocab_size', found 65.5"), e.getMessage());
        Files.writeString(meta, valid.replaceFirst("\"vocab_size\"\\s*:\\s*\\d+", "\"vocab_size\": 4294967361"));
        e = assertThrows(IOException.class, () -> TokenData.open(data));
        assertTrue(e.getMessage().contains("vocab_size 4294967361 is larger than any vocabulary"), e.getMessage());
    }
}
