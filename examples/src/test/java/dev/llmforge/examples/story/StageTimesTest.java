package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageTimesTest {
    @TempDir
    Path dir;

    @Test
    void timesSurviveARerunInTheirOrder() throws IOException {
        Path file = dir.resolve("timings.json");
        StageTimes first = new StageTimes(file);
        first.put("base", new StageTimes.Time(62.5, 60.25));
        first.put("sft", new StageTimes.Time(20, 19.5));
        StageTimes again = new StageTimes(file);
        assertEquals(List.of("base", "sft"), List.copyOf(again.all().keySet()));
        assertEquals(new StageTimes.Time(62.5, 60.25), again.of("base"));
        assertNull(again.of("ppo"));
    }

    @Test
    void aWatchCountsTheCpuTimeOfWork() {
        StageTimes.Watch watch = StageTimes.Watch.start();
        double sum = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sum += Math.sqrt(i);
        }
        StageTimes.Time time = watch.stop();
        assertTrue(sum > 0 && time.cpuSeconds() > 0 && time.wallSeconds() > 0, time.toString());
    }

    @Test
    void aTimeOfTheWrongShapeNamesTheFileAndTheStage() throws IOException {
        Path file = dir.resolve("timings.json");
        Files.writeString(file, "{\"base\": 305.6}");
        IOException e = assertThrows(IOException.class, () -> new StageTimes(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("\"base\"") && e.getMessage().contains("cpu_seconds"),
                e.getMessage());
    }
}
