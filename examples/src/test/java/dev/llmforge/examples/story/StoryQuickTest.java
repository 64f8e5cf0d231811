package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tensor.Backends;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmforge story --quick} end to end on the djl backend: every stage's checkpoint, every section, model and
 * chart of the report, figures that are consistent proportions with their intervals, and — the story's first
 * claim — the SFT model answering more held-out questions than the base model, which continues the document.
 * Tagged slow: about 20 minutes on the shared 2-core machine (load average 20); run with {@code -Pslow}.
 */
@Tag("slow")
class StoryQuickTest {
    /** {@code 31/40 = 77.5% (62.5–87.7%)} as the report writes a proportion. */
    private static final Pattern PROPORTION = Pattern.compile("(\\d+)/(\\d+) = ([0-9.]+)% \\(([0-9.]+)–([0-9.]+)%\\)");

    @Test
    void quickStoryWritesTheWholeReportAndSftAnswersMoreThanTheBase(@TempDir Path dir) throws Exception {
        StringWriter log = new StringWriter();
        StoryRun run = new StoryRun(StoryPlan.quick().seeded(7), new StoryLayout(dir), 7, Backends.get("djl"), new PrintWriter(log, true));
        Story.run(run, "llmforge story --quick");

        for (String stage : List.of("base", "sft", "reward", "ppo", "dpo", "grpo")) {
            assertTrue(TrainingCheckpoint.exists(run.layout().checkpoint(stage)), stage + " has a checkpoint");
        }
        assertTrue(Files.size(run.layout().pairs()) > 0, "the labeler's pairs");
        String report = Files.readString(run.layout().report());
        int at = -1;
        for (String section : StoryReport.SECTIONS) {
            int next = report.indexOf(section);
            assertTrue(next > at, section + " present, in order:\n" + report);
            at = next;
        }
        List<String> charts = new ArrayList<>(List.of(StoryCharts.ACCURACY_VS_K));
        StoryCharts.CURVES.forEach(spec -> charts.add(spec.fileName()));
        for (String chart : charts) {
            assertTrue(report.contains("](" + chart + ")"), chart + " linked");
            assertNotNull(ImageIO.read(dir.resolve(chart).toFile()), chart + " is a PNG");
        }

        Matcher m = PROPORTION.matcher(report);
        int proportions = 0;
        while (m.find()) {
            proportions++;
            int successes = Integer.parseInt(m.group(1));
            int trials = Integer.parseInt(m.group(2));
            double percent = Double.parseDouble(m.group(3));
            assertTrue(successes <= trials && trials > 0, m.group());
            assertEquals(100.0 * successes / trials, percent, 0.051, m.group());
            assertTrue(Double.parseDouble(m.group(4)) <= percent && percent <= Double.parseDouble(m.group(5)), m.group());
        }
        // recall: 2; held-out table: 5 models × 3; alignment table: 4 × 2; prompt study: 2 models × (4 greedy + 2 voted) × 2
        assertTrue(proportions >= 2 + 15 + 8 + 24, proportions + " proportions in\n" + report);

        int baseAnswers = answered(report, "base");
        int sftAnswers = answered(report, "sft");
        assertTrue(sftAnswers > baseAnswers, "SFT answers " + sftAnswers + ", the base model " + baseAnswers + ":\n" + report);
        assertFalse(log.toString().contains("reusing"), "a fresh directory reuses nothing");
    }

    /** The answered count of the model's row in the held-out table (its first proportion). */
    private static int answered(String report, String model) {
        String table = report.substring(report.indexOf("| model | answers |"));
        Matcher row = Pattern.compile("^\\| " + model + " \\| (\\d+)/", Pattern.MULTILINE).matcher(table);
        assertTrue(row.find(), model + " row in the held-out table");
        return Integer.parseInt(row.group(1));
    }
}
