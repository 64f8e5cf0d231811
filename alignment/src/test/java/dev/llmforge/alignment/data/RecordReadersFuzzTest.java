package dev.llmforge.alignment.data;

import static dev.llmforge.testing.FileFuzzer.assertOnlyTypedErrorsFromFile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SFT and preference readers on seeded mutants of valid files of every format (truncations, bit
 * flips, hostile numbers), failing fast on a bad record: each file reads or fails with an IOException
 * naming it (BadRecordException for a bad record), in bounded time.
 */
class RecordReadersFuzzTest {
    private static final int MUTANTS = 200;
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] firstLines(Path sample, int count) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(sample.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(sample)) : Files.newInputStream(sample), StandardCharsets.UTF_8))) {
            return lines(r.lines().limit(count).collect(Collectors.joining("\n")));
        }
    }

    private void fuzzSft(String name, byte[] valid, long seed) {
        assertOnlyTypedErrorsFromFile(dir.resolve(name), valid, seed, MUTANTS, BOUND, f -> SftReader.read(List.of(f), BadRecords.failFast()),
                IOException.class);
    }

    private void fuzzPreferences(String name, byte[] valid, long seed) {
        assertOnlyTypedErrorsFromFile(dir.resolve(name), valid, seed, MUTANTS, BOUND,
                f -> PreferenceReader.read(List.of(f), BadRecords.failFast()), IOException.class);
    }

    @Test
    void sftFormats() throws IOException {
        fuzzSft("messages.jsonl", lines("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Hello.\"}], \"final_answer\": 3}"), 31);
        fuzzSft("pc.jsonl", lines("{\"prompt\": \"2+2?\", \"completion\": \"4\"}", "{\"prompt\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"completion\": [{\"role\": \"assistant\", \"content\": \"y\"}]}"), 32);
        fuzzSft("alpaca.jsonl", lines("{\"instruction\": \"Add.\", \"input\": \"2 and 2\", \"output\": \"4\"}"), 33);
        fuzzSft("qa.txt", lines("Q: What is 2+2?", "A: 4", "", "Q: And 3+3?", "A: 6"), 34);
        fuzzSft("gsm8k.jsonl", firstLines(DataFiles.sample("gsm8k/train-first200.jsonl"), 3), 35);
        fuzzSft("seed_tasks.jsonl", firstLines(DataFiles.sample("self-instruct/seed_tasks.jsonl"), 3), 36);
        fuzzSft("hh.jsonl", firstLines(DataFiles.sample("hh-rlhf/harmless-base-test-first200.jsonl.gz"), 2), 37);
    }

    @Test
    void preferenceFormats() throws IOException {
        fuzzPreferences("pairs.jsonl", lines("{\"prompt\": \"Hi\", \"chosen\": \"Hello.\", \"rejected\": \"Go away.\", \"margin\": 1.5}"), 41);
        fuzzPreferences("ranked.jsonl", lines("{\"prompt\": \"Pick\", \"responses\": [\"a\", \"b\", \"c\"], \"ranking\": [2, 0, 1]}"), 42);
        fuzzPreferences("hh.jsonl", firstLines(DataFiles.sample("hh-rlhf/harmless-base-test-first200.jsonl.gz"), 2), 43);
    }
}
