package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.alignment.reward.RewardModel;
import dev.llmforge.examples.cli.Llmforge;
import dev.llmforge.tensor.Backends;
import dev.llmforge.training.TrainingCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code llmforge story --quick} end to end on the djl backend, run once for all the checks: every stage's checkpoint,
 * every section, model and chart of the report, figures that are consistent proportions with their intervals, an
 * {@code llmforge eval} command that reproduces its row, the reward model normalised on SFT answers, every stage
 * complete for a rerun to reuse, and — the story's first claim — the SFT model answering more held-out questions
 * than the base model, which continues the document. Minutes on a loaded machine (docs/story.md, "In CI").
 */
class StoryQuickTest {
    /** {@code 31/40 = 77.5% (62.5–87.7%)} as the report writes a proportion. */
    private static final Pattern PROPORTION = Pattern.compile("(\\d+)/(\\d+) = ([0-9.]+)% \\(([0-9.]+)–([0-9.]+)%\\)");
    private static final long SEED = 7;

    @TempDir
    static Path dir;
    private static StoryRun run;
    private static String report;
    private static String log;

    @BeforeAll
    static void runTheQuickStory() throws Exception {
        StringWriter out = new StringWriter();
        run = new StoryRun(StoryPlan.quick().seeded(SEED), new StoryLayout(dir), SEED, Backends.get("djl"), new PrintWriter(out, true));
        Story.run(run, "llmforge story --quick --seed " + SEED);
        report = Files.readString(run.layout().report());
        log = out.toString();
    }

    @Test
    void everyStageIsCompleteSoARerunReusesIt() {
        for (String stage : List.of("base", "sft", "reward", "ppo", "dpo", "grpo")) {
            assertTrue(TrainingCheckpoint.exists(run.layout().checkpoint(stage)), stage + " has a checkpoint");
        }
        for (Stage stage : Story.STAGES) {
            assertTrue(stage.done(run), stage.name() + " is complete: a rerun with the same --out reuses it");
        }
        assertFalse(log.contains("reusing"), "a fresh directory reuses nothing:\n" + log);
    }

    @Test
    void theReportHasEverySectionAndChart() throws Exception {
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
        assertTrue(report.contains("seed " + SEED), "the seed is stated");
    }

    @Test
    void everyProportionIsConsistentWithItsCountsAndInterval() {
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
        int voted = run.plan().selfConsistencyK().size();
        // recall: 2 kinds; held-out table: 5 models × 3; alignment table: 4 × 2; prompt study: 2 models × (4 greedy + voted) × 2
        assertTrue(proportions >= 2 + 15 + 8 + 2 * (4 + voted) * 2, proportions + " proportions in\n" + report);
    }

    @Test
    void sftAnswersMoreHeldOutQuestionsThanTheBase() {
        HeldOutTable.assertSftAnswersMoreThanBase(report);
    }

    @Test
    void aPromptStudyRowIsReproducedByItsEvalCommand() {
        Matcher line = Pattern.compile("^- sft, zero-shot \\(greedy\\): `llmforge eval ([^`]+)`$", Pattern.MULTILINE).matcher(report);
        assertTrue(line.find(), "the row's command in\n" + report);
        Matcher row = Pattern.compile("^\\| sft \\| zero-shot \\(greedy\\) \\| (\\d+/\\d+) = [^|]+\\| (\\d+/\\d+) = ", Pattern.MULTILINE).matcher(report);
        assertTrue(row.find(), "the row in\n" + report);

        List<String> args = new ArrayList<>(List.of("eval"));
        args.addAll(Arrays.asList(line.group(1).split(" ")));
        args.addAll(List.of("--out", dir.resolve("reproduced.jsonl").toString()));
        CommandLine cl = Llmforge.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), out.toString());
        assertTrue(out.toString().contains("accuracy: " + row.group(1) + " "), "accuracy " + row.group(1) + " again:\n" + out);
        assertTrue(out.toString().contains("answers rather than continues: " + row.group(2) + " "), "answers " + row.group(2) + " again:\n" + out);
    }

    @Test
    void theRewardModelPpoReadsScoresSftAnswersAtMeanZero() throws Exception {
        PreferenceData data = new PreferenceData(run, run.tokenizer(SftStage.NAME), run.plan().model().blockSize());
        double trainedMean;
        try (RewardModel trained = RewardModel.load(run.layout().checkpoint(RewardStage.NAME), run.backend())) {
            trainedMean = mean(trained.scoreAll(data.sftAnswers(), 8));
        }
        try (RewardModel normalised = RewardModel.load(run.layout().rewardModel(), run.backend())) {
            assertEquals(trainedMean, normalised.offset(), 1e-4, "the offset is the trained model's mean score on the SFT answers");
            assertEquals(0, mean(normalised.scoreAll(data.sftAnswers(), 8)), 1e-4, "SFT answers average 0 after normalising");
        }
        assertTrue(Math.abs(trainedMean) > 1e-3, "the trained model's mean, " + trainedMean + ", was not 0 already");
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }
}
