package dev.llmforge.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmforge.examples.cli.CliSmokeTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmforge world} in-process: sizes from a preset and flags, the summary line, and bad flags. */
class WorldCommandTest {
    @TempDir
    Path dir;

    @Test
    void generatesAWorldWithTheGivenSizes() throws Exception {
        Path out = dir.resolve("world");
        Run run = CliSmokeTest.run("world", "--preset", "quick", "--countries", "30", "--held-out-countries", "8",
                "--solution-style", "columns", "--seed", "5", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("32 held-out fact questions, 60 held-out age problems"), run.toString());
        assertTrue(run.out().contains("22 training and 8 held-out countries"), run.toString());
        var manifest = new ObjectMapper().readTree(out.resolve("world.json").toFile());
        assertEquals(5, manifest.get("seed").asInt());
        assertEquals("columns", manifest.get("size").get("solution-style").asText());
        assertTrue(Files.readString(out.resolve("pretrain.txt")).contains(": ones "), "column sums");
    }

    @Test
    void badSizesAreRefusedByName() {
        Run run = CliSmokeTest.run("world", "--preset", "quick", "--worksheets", "many", "--out", dir.toString());
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("error: --worksheets expects a whole number, found \"many\""), run.toString());
        run = CliSmokeTest.run("world", "--preset", "tiny", "--out", dir.toString());
        assertTrue(run.err().contains("expected a world preset \"quick\" or \"full\", found \"tiny\""), run.toString());
        run = CliSmokeTest.run("world", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--articles-per-country=N") && run.out().contains("(quick 6, full 12)"), run.toString());
    }
}
