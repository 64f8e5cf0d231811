package dev.llmforge.examples.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.alignment.eval.EvalRecord;
import dev.llmforge.alignment.eval.EvalSummary;
import dev.llmforge.alignment.eval.PromptStyle;
import dev.llmforge.alignment.eval.QuestionResult;
import dev.llmforge.tensor.Backends;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The CI test's check of the story's first claim, on reports written by {@link StoryReport} from responses given
 * here: it holds when the SFT model answers where the base model asks the next question, and fails when the SFT
 * stage's model is the base model itself.
 */
class HeldOutTableTest {
    private static final List<EvalRecord> FACTS = List.of(new EvalRecord("What's the capital of China?", "Beijing", "capital", null),
            new EvalRecord("What's the capital of Peru?", "Lima", "capital", null));
    private static final List<EvalRecord> AGES = List.of(new EvalRecord(
            "When I was 6 my sister was half my age. Now I'm 70 how old is my sister?", "67", "age", null));
    /** A base model continues the document: the next question of a worksheet, or the question restated. */
    private static final List<String> BASE_FACTS = List.of("\nWhat's the capital of Peru?", "China's capital is Beijing.");
    private static final List<String> BASE_AGES = List.of("When I was 6 my sister was half my age. Now I'm 70");
    private static final List<String> SFT_FACTS = List.of("China's capital is Beijing.", "Peru's capital is Lima.");
    private static final List<String> SFT_AGES = List.of("When I was 6, my sister was 6 / 2 = 3. So she is 6 - 3 = 3 years younger. "
            + "Now I'm 70, so she is 70 - 3 = 67. The answer is 67.");

    @TempDir
    Path dir;

    @Test
    void theClaimHoldsWhenSftAnswersWhereTheBaseContinues() throws Exception {
        String report = report(figures(BaseStage.NAME, BASE_FACTS, BASE_AGES), figures(SftStage.NAME, SFT_FACTS, SFT_AGES));
        assertEquals(1, HeldOutTable.answered(report, BaseStage.NAME));
        assertEquals(3, HeldOutTable.answered(report, SftStage.NAME));
        HeldOutTable.assertSftAnswersMoreThanBase(report);
    }

    @Test
    void theClaimFailsWhenTheSftStageIsTheBaseModel() throws Exception {
        String report = report(figures(BaseStage.NAME, BASE_FACTS, BASE_AGES), figures(SftStage.NAME, BASE_FACTS, BASE_AGES));
        assertThrows(AssertionFailedError.class, () -> HeldOutTable.assertSftAnswersMoreThanBase(report));
    }

    private String report(ModelFigures base, ModelFigures sft) throws Exception {
        StoryRun run = new StoryRun(StoryPlan.quick(), new StoryLayout(dir), 7, Backends.get("reference"), new PrintWriter(new StringWriter()));
        StageTimes times = new StageTimes(run.layout().timings());
        times.put(SftStage.NAME, new StageTimes.Time(2, 1));
        Map<String, List<String>> sideBySide = new LinkedHashMap<>();
        List<PromptStudy.Row> study = new ArrayList<>();
        for (ModelFigures m : List.of(base, sft)) {
            sideBySide.put(m.stage(), List.of("", "", ""));
            study.add(new PromptStudy.Row(m.stage(), PromptStyle.COT, 0, m.ages()));
            study.add(new PromptStudy.Row(m.stage(), PromptStyle.COT, 5, m.ages()));
        }
        new StoryReport(run).write("llmforge story --quick", times, base.facts(), sideBySide, List.of(base, sft), study);
        return Files.readString(run.layout().report());
    }

    private static ModelFigures figures(String stage, List<String> facts, List<String> ages) {
        List<QuestionResult> factResults = results(FACTS, facts);
        List<QuestionResult> ageResults = results(AGES, ages);
        List<QuestionResult> all = new ArrayList<>(factResults);
        all.addAll(ageResults);
        return new ModelFigures(stage, EvalSummary.of(factResults), EvalSummary.of(factResults), EvalSummary.of(ageResults), EvalSummary.of(all),
                null, null, all);
    }

    private static List<QuestionResult> results(List<EvalRecord> records, List<String> responses) {
        List<QuestionResult> results = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            results.add(new QuestionResult(i, records.get(i), 10, List.of(QuestionResult.Path.score(records.get(i), responses.get(i), -1, 5)),
                    Optional.empty()));
        }
        return results;
    }
}
